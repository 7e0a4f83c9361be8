/*
 * A process the attach refusals test runs under the name qemu-system-x86_64:
 * it exports the three dispatcher symbols, but as ordinary functions, not
 * the tail jumps into one shared routine that dispatch_shape.h expects, so
 * discond --pid must refuse it as "unexpected dispatcher shape". Sleeps
 * until killed (at most 60 s).
 */
#include <stdint.h>
#include <unistd.h>

volatile uint64_t discon_fake_sink;

#define FAKE_DISPATCHER(name, weight)                                        \
    __attribute__((noinline, visibility("default"))) void name(void *cpu, uint64_t from) \
    {                                                                        \
        discon_fake_sink += (uint64_t)(uintptr_t)cpu * (weight) + from;      \
    }
FAKE_DISPATCHER(qemu_plugin_vcpu_interrupt_cb, 3)
FAKE_DISPATCHER(qemu_plugin_vcpu_exception_cb, 5)
FAKE_DISPATCHER(qemu_plugin_vcpu_hostcall_cb, 7)

int main(void)
{
    sleep(60);
    return 0;
}
