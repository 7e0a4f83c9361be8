/*
 * Time options (--from, --to, --at, --last): read exactly into ns, so a
 * time a tool printed to the ns selects that ns. Through a double,
 * "0.127182999" became 127182998 ns and --at dropped the trap at the
 * instant itself.
 */
#include "check.h"
#include "number_option.h"
#include "tool_args.h"

#include <stdint.h>

static int64_t ns_of(const char *s, uint64_t unit_ns)
{
    int64_t v = 12345;
    int rc = discon_parse_time_ns(s, unit_ns, &v);
    if (rc != 0)
        fprintf(stderr, "'%s' refused\n", s);
    CHECK_EQ(rc, 0);
    return v;
}

static void refused(const char *s)
{
    int64_t v = 12345;
    if (discon_parse_time_ns(s, 1000000000u, &v) == 0)
        fprintf(stderr, "'%s' accepted as %lld\n", s, (long long)v);
    CHECK(discon_parse_time_ns(s, 1000000000u, &v) == -1);
    CHECK_EQ(v, 12345); /* untouched */
}

int main(void)
{
    const uint64_t S = 1000000000u;
    CHECK_EQ(ns_of("0", S), 0);
    CHECK_EQ(ns_of("0.127182999", S), 127182999);
    CHECK_EQ(ns_of("0.000000001", S), 1);
    CHECK_EQ(ns_of("2", S), 2000000000);
    CHECK_EQ(ns_of("1.5", S), 1500000000);
    CHECK_EQ(ns_of("2s", S), 2000000000);
    CHECK_EQ(ns_of("50ms", S), 50000000);
    CHECK_EQ(ns_of("1.5ms", S), 1500000);
    CHECK_EQ(ns_of("0.000001ms", S), 1);
    CHECK_EQ(ns_of("250us", S), 250000);
    CHECK_EQ(ns_of("100000ns", S), 100000);
    CHECK_EQ(ns_of("7", 1000000u), 7000000); /* another default unit */
    CHECK_EQ(ns_of("9223372036.854775807", S), INT64_MAX);
    /* Every ns of a second reads back as itself (a double misses some). */
    for (int64_t ns = 0; ns < 1000000000; ns += 999983) {
        char buf[32];
        snprintf(buf, sizeof buf, "0.%09lld", (long long)ns);
        CHECK_EQ(ns_of(buf, S), ns);
    }

    refused("");
    refused("s");
    refused(".5");
    refused("1.");
    refused("-1");
    refused("+1");
    refused(" 1");
    refused("1 ");
    refused("1,5");
    refused("1.5.5");
    refused("0.0000000001");  /* finer than 1 ns */
    refused("1.5ns");
    refused("0.0000001ms");
    refused("1h");
    refused("1S");
    refused("9223372036.854775808");
    refused("18446744073709551616");

    /* The window rule: [from, to), in ns from the trace's start. */
    struct discon_window w = {.from_ns = 127182999, .to_ns = 127183000};
    CHECK(discon_in_window(1000, 1000 + 127182999, w));
    CHECK(!discon_in_window(1000, 1000 + 127182998, w));
    CHECK(!discon_in_window(1000, 1000 + 127183000, w));
    CHECK(discon_in_window(1000, 999, DISCON_WINDOW_ALL)); /* before the start */
    CHECK_EQ(discon_second_from(1000, 999), -1);
    CHECK_EQ(discon_second_from(1000, 1000), 0);
    CHECK_EQ(discon_second_from(1000, 1000 + 999999999), 0);
    CHECK_EQ(discon_second_from(1000, 1000 + 1000000000), 1);
    CHECK_EQ(discon_second_from(2000000000, 0), -2);
    CHECK_EQ(discon_second_from(2000000001, 0), -3);
    return check_failures != 0;
}
