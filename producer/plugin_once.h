/*
 * One discon plugin per QEMU process (issue 15, point 6).
 *
 * QEMU dlopens each -plugin. The same file under another path spelling is
 * the same object (one set of globals: plugin.c refuses it by its own
 * state); a copy of libdiscon.so under another file (an installed one
 * beside a build's, say) is a second object with globals of its own: it
 * would record into a second segment that no consumer drains, so in block
 * mode the guest waits out block_timeout and the segment is left behind.
 * Each install therefore looks for another discon plugin already installed
 * in the process, through the one symbol every libdiscon.so exports for
 * that, DISCON_PLUGIN_ONCE_SYMBOL.
 */
#ifndef DISCON_PLUGIN_ONCE_H
#define DISCON_PLUGIN_ONCE_H

/* The exported function of every libdiscon.so, of type
 * discon_plugin_once_fn: the name of the segment that instance records
 * into ("/NAME"), or NULL while it is not installed. */
#define DISCON_PLUGIN_ONCE_SYMBOL "discon_plugin_recording_into"
typedef const char *(*discon_plugin_once_fn)(void);

/* Another libdiscon.so object of this process already installed: the
 * segment it records into (a string owned by that object, valid while it
 * is loaded), or NULL when there is none. `self` is this object's own
 * exported function, so the caller is not taken for another. Walks the
 * loaded objects (dl_iterate_phdr) and asks each for the symbol without
 * loading anything (RTLD_NOLOAD); call it from qemu_plugin_install, before
 * the vCPUs run. Out of memory: NULL (the check is skipped, not failed). */
const char *discon_plugin_other_instance(discon_plugin_once_fn self);

#endif
