/*
 * How the guest ended, where a plugin can see it (End.guest_ended). QEMU's
 * plugin API (11.1) has no callback for a machine reset or shutdown; what
 * it does show is the host call through which an aarch64 guest asks
 * QEMU's PSCI firmware to power off or reset (an HVC or SMC that QEMU
 * handles: a HOSTCALL event, x0 its function id in `cause`). Such a call
 * as the guest's last trap is how it ended. A semihosting SYS_EXIT ends
 * QEMU inside the call, before its discontinuity callback: not seen. An x86 guest powers off or resets by writing an I/O port (ACPI
 * PM1a_CNT, 0xcf9, the keyboard controller) or by a triple fault, all
 * handled inside QEMU's device and CPU emulation where no plugin callback
 * runs (port I/O is not a memory access): not observable.
 */
#ifndef DISCON_GUEST_END_H
#define DISCON_GUEST_END_H

#include "event.h"

/* "power-off" or "reset" if e (a vCPU's last event
 * of a trace of target `target`, the QEMU target name) is the guest's
 * request for it; NULL otherwise. Static strings. */
const char *discon_guest_end(const char *target, const struct discon_event *e);

#endif
