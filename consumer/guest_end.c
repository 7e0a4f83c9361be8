/* How the guest ended (guest_end.h). */
#include "guest_end.h"
#include "discon_arch.h"
#include "discon_types.h"

/* Arm's PSCI (DEN0022, "Function prototypes"): the function id in w0, as
 * SMC32 (0x84...) or, for the calls that have it, SMC64 (0xC4...). */
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_SYSTEM_RESET2 0x84000012u
#define PSCI_SYSTEM_OFF2 0x84000015u
#define PSCI_SMC64 0x40000000u

const char *discon_guest_end(const char *target, const struct discon_event *e)
{
    if (discon_arch_from_target(target) != DISCON_ARCH_AARCH64 || e->type != DISCON_HOSTCALL ||
        !(e->has & DISCON_HAS_CAUSE))
        return NULL;
    uint32_t id = (uint32_t)e->cause;
    uint32_t id32 = id & ~PSCI_SMC64;
    if (id == PSCI_SYSTEM_OFF || id32 == PSCI_SYSTEM_OFF2)
        return "power-off";
    if (id == PSCI_SYSTEM_RESET || id32 == PSCI_SYSTEM_RESET2)
        return "reset";
    return NULL;
}
