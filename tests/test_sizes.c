/*
 * Size options (--rotate-size, --bpf-ring): every unit the help names,
 * decimals, and what must be refused rather than misread.
 */
#include "check.h"
#include "number_option.h"

#include <stdint.h>

static uint64_t size_of(const char *s)
{
    uint64_t v = 12345;
    int rc = discon_parse_size(s, &v);
    if (rc != 0)
        fprintf(stderr, "'%s' refused\n", s);
    CHECK_EQ(rc, 0);
    return v;
}

static void refused(const char *s)
{
    uint64_t v = 12345;
    if (discon_parse_size(s, &v) == 0)
        fprintf(stderr, "'%s' accepted as %llu\n", s, (unsigned long long)v);
    CHECK(discon_parse_size(s, &v) == -1);
    CHECK_EQ(v, 12345); /* untouched */
}

int main(void)
{
    CHECK_EQ(size_of("0"), 0);
    CHECK_EQ(size_of("4096"), 4096);
    CHECK_EQ(size_of("10K"), 10240);
    CHECK_EQ(size_of("10k"), 10240);
    CHECK_EQ(size_of("10KiB"), 10240);
    CHECK_EQ(size_of("10KB"), 10000);
    CHECK_EQ(size_of("10MB"), 10000000);
    CHECK_EQ(size_of("10MiB"), 10u << 20);
    CHECK_EQ(size_of("256M"), 256u << 20);
    CHECK_EQ(size_of("2G"), 2ull << 30);
    CHECK_EQ(size_of("2GiB"), 2ull << 30);
    CHECK_EQ(size_of("2GB"), 2000000000ull);
    CHECK_EQ(size_of("1T"), 1ull << 40);
    CHECK_EQ(size_of("1.5G"), 1610612736ull);
    CHECK_EQ(size_of("1.5GB"), 1500000000ull);
    CHECK_EQ(size_of("0.5M"), 512u << 10);
    CHECK_EQ(size_of("1.1G"), 1181116006ull); /* 1181116006.4: the fraction of a byte dropped */
    CHECK_EQ(size_of("0.3K"), 307);
    CHECK_EQ(size_of("1.000001K"), 1024);
    CHECK_EQ(size_of("18446744073709551615"), UINT64_MAX);
    CHECK_EQ(size_of("16777215.999999T"), (16777215ull << 40) + 999999ull * (1ull << 40) / 1000000);

    refused("");
    refused("K");
    refused(".5G");
    refused("1.G");
    refused("1.5.5G");
    refused("1.0000001G"); /* more fraction digits than a size needs */
    refused("-1M");
    refused("+1M");
    refused(" 1M");
    refused("1M ");
    refused("1 M");
    refused("1Mb");
    refused("1mb");
    refused("1KIB");
    refused("1X");
    refused("1,5G");
    refused("18446744073709551616");
    refused("16777216T");
    refused("17179869184G");
    refused("16777215.9999999T");
    return check_failures != 0;
}
