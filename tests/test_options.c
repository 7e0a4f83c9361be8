/*
 * The plugin's option parser: defaults, every key, and each kind of bad
 * value, asserted as its DISCON_OPT_E_x code (never as message text) with
 * a one-line message beside it.
 */
#include "check.h"
#include "plugin_options.h"


static int parse(struct discon_options *o, char *err, const char *a, const char *b)
{
    char *argv[] = {(char *)a, (char *)b};
    int argc = a ? (b ? 2 : 1) : 0;
    return discon_options_parse(o, argc, argv, err, 256);
}

static void rejected(const char *arg, enum discon_opt_err code)
{
    struct discon_options o;
    char err[256] = "";
    int rc = parse(&o, err, arg, NULL);
    if (rc != -(int)code)
        fprintf(stderr, "%s: code %d (%s), expected %d\n", arg, -rc, discon_opt_strerror(rc),
                (int)code);
    CHECK_EQ(rc, -(int)code);
    CHECK(err[0] != '\0' && strchr(err, '\n') == NULL);
    /* The first bad argument decides, whatever follows it. */
    CHECK_EQ(parse(&o, err, arg, "bogus=1"), -(int)code);
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
    CHECK(o.cause);
    CHECK(o.returns);

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

    CHECK(parse(&o, err, "cause=off", NULL) == 0);
    CHECK(!o.cause);
    CHECK(parse(&o, err, "cause=off", "cause=on") == 0);
    CHECK(o.cause);

    /* returns=on by default; the new types parse as list members. */
    CHECK(parse(&o, err, "returns=off", NULL) == 0);
    CHECK(!o.returns);
    CHECK(parse(&o, err, "returns=off", "returns=on") == 0);
    CHECK(o.returns);
    CHECK(parse(&o, err, "types=return+syscall", NULL) == 0);
    CHECK_EQ(o.types, DISCON_RETURN | DISCON_SYSCALL);

    /* A key given twice keeps its last value. */
    CHECK(parse(&o, err, "ring=16", "ring=32") == 0);
    CHECK_EQ(o.ring_capacity, 32);

    check_strerror(discon_opt_strerror, DISCON_OPT_E_COUNT);
    rejected("bogus=1", DISCON_OPT_E_UNKNOWN_KEY);
    rejected("shmx=a", DISCON_OPT_E_UNKNOWN_KEY);
    rejected("=1", DISCON_OPT_E_UNKNOWN_KEY);
    rejected("ring", DISCON_OPT_E_SYNTAX);
    rejected("", DISCON_OPT_E_SYNTAX);
    rejected("shm=", DISCON_OPT_E_SHM);
    rejected("shm=a/b", DISCON_OPT_E_SHM);
    rejected("shm=..", DISCON_OPT_E_SHM);
    rejected("shm=sp ace", DISCON_OPT_E_SHM);
    rejected("mode=fast", DISCON_OPT_E_MODE);
    rejected("ring=1000", DISCON_OPT_E_RING);
    rejected("ring=8", DISCON_OPT_E_RING);
    rejected("ring=33554432", DISCON_OPT_E_RING);
    rejected("ring=-16", DISCON_OPT_E_RING);
    rejected("ring=16k", DISCON_OPT_E_RING);
    rejected("ring=", DISCON_OPT_E_RING);
    rejected("types=", DISCON_OPT_E_TYPES);
    rejected("types=interrupt+", DISCON_OPT_E_TYPES);
    rejected("types=trap", DISCON_OPT_E_TYPES);
    rejected("types=sycall", DISCON_OPT_E_TYPES);
    rejected("returns=yes", DISCON_OPT_E_RETURNS);
    rejected("returns=", DISCON_OPT_E_RETURNS);
    rejected("block_timeout=0", DISCON_OPT_E_BLOCK_TIMEOUT);
    rejected("block_timeout=99999999999999999999", DISCON_OPT_E_BLOCK_TIMEOUT);
    rejected("max_vcpus=0", DISCON_OPT_E_MAX_VCPUS);
    rejected("max_vcpus=5000", DISCON_OPT_E_MAX_VCPUS);
    rejected("cause=yes", DISCON_OPT_E_CAUSE);
    rejected("cause=", DISCON_OPT_E_CAUSE);
    rejected("cause=On", DISCON_OPT_E_CAUSE);
    CHECK_DONE();
}
