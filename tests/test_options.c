/* The plugin's option parser: defaults, every key, and each kind of bad value. */
#include "check.h"
#include "plugin_options.h"

static int parse(struct discon_options *o, char *err, const char *a, const char *b)
{
    char *argv[] = {(char *)a, (char *)b};
    int argc = a ? (b ? 2 : 1) : 0;
    return discon_options_parse(o, argc, argv, err, 256);
}

static void rejected(const char *arg, const char *msg)
{
    struct discon_options o;
    char err[256] = "";
    CHECK(parse(&o, err, arg, NULL) == -1);
    CHECK_CONTAINS(err, msg);
}

int main(void)
{
    struct discon_options o;
    char err[256];

    CHECK(parse(&o, err, NULL, NULL) == 0);
    CHECK_EQ(o.mode, DISCON_MODE_BLOCK);
    CHECK_EQ(o.ring_capacity, DISCON_DEFAULT_RING);
    CHECK_EQ(o.types, DISCON_TYPES_ALL);
    CHECK_EQ(o.block_timeout_ms, DISCON_DEFAULT_BLOCK_TIMEOUT_MS);
    CHECK_EQ(o.max_vcpus, DISCON_DEFAULT_USER_VCPUS);
    CHECK(o.shm_name[0] == '\0');

    CHECK(parse(&o, err, "shm=my.trace_1-x", "mode=drop") == 0);
    CHECK(strcmp(o.shm_name, "/my.trace_1-x") == 0);
    CHECK_EQ(o.mode, DISCON_MODE_DROP);
    CHECK(parse(&o, err, "shm=/lead", "ring=16") == 0);
    CHECK(strcmp(o.shm_name, "/lead") == 0);
    CHECK_EQ(o.ring_capacity, 16);
    CHECK(parse(&o, err, "types=exception+hostcall", "block_timeout=250") == 0);
    CHECK_EQ(o.types, DISCON_EXCEPTION | DISCON_HOSTCALL);
    CHECK_EQ(o.block_timeout_ms, 250);
    CHECK(parse(&o, err, "types=interrupt", "max_vcpus=8") == 0);
    CHECK_EQ(o.types, DISCON_INTERRUPT);
    CHECK_EQ(o.max_vcpus, 8);
    CHECK(parse(&o, err, "types=all", NULL) == 0);
    CHECK_EQ(o.types, DISCON_TYPES_ALL);

    rejected("bogus=1", "unknown option 'bogus'");
    rejected("shmx=a", "unknown option 'shmx'");
    rejected("ring", "not key=value");
    rejected("shm=", "shm=");
    rejected("shm=a/b", "shm=a/b");
    rejected("shm=..", "shm=..");
    rejected("shm=sp ace", "shm=sp ace");
    rejected("mode=fast", "mode=fast: expected block or drop");
    rejected("ring=1000", "ring=1000: records per vCPU, a power of two");
    rejected("ring=8", "ring=8");
    rejected("ring=33554432", "ring=33554432");
    rejected("ring=-16", "ring=-16");
    rejected("ring=16k", "ring=16k");
    rejected("ring=", "ring=");
    rejected("types=", "types=");
    rejected("types=interrupt+", "types=interrupt+");
    rejected("types=syscall", "types=syscall");
    rejected("block_timeout=0", "block_timeout=0");
    rejected("block_timeout=99999999999999999999", "block_timeout=");
    rejected("max_vcpus=0", "max_vcpus=0");
    rejected("max_vcpus=5000", "max_vcpus=5000");
    CHECK_DONE();
}
