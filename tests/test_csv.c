/* The CSV field writer shared by discon-dump and discon-report
 * (tools/analysis/csv.h): RFC 4180 quoting, any length. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "check.h"
#include "csv.h"

#include <stdlib.h>

/* What discon_csv_field writes for s; the caller frees it. */
static char *field(const char *s)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    CHECK(f != NULL);
    if (!f)
        return NULL;
    CHECK_EQ(discon_csv_field(f, s), 0);
    fclose(f);
    return out;
}

static void expect(const char *s, const char *want)
{
    char *got = field(s);
    CHECK(got && strcmp(got, want) == 0);
    if (got && strcmp(got, want) != 0)
        fprintf(stderr, "  field(%s) = %s, expected %s\n", s, got, want);
    free(got);
}

/* A field far longer than any buffer a writer might keep, every other
 * byte a quote: all of it comes out, each quote doubled. */
static void long_field(void)
{
    enum { N = 100000 };
    char *s = malloc(N + 1);
    CHECK(s != NULL);
    if (!s)
        return;
    for (size_t i = 0; i < N; i++)
        s[i] = i % 2 ? '"' : 'a';
    s[N] = '\0';
    char *got = field(s);
    CHECK(got != NULL);
    if (got) {
        CHECK_EQ(strlen(got), 2 + N + N / 2);
        CHECK(got[0] == '"' && got[strlen(got) - 1] == '"');
        CHECK(strncmp(got + 1, "a\"\"a\"\"", 6) == 0);
    }
    free(got);
    free(s);
}

int main(void)
{
    expect("", "");
    expect("plain_name+0x10", "plain_name+0x10");
    expect("a,b", "\"a,b\"");
    expect("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect("\"", "\"\"\"\"");
    expect("line\nbreak", "\"line\nbreak\"");
    expect("cr\rhere", "\"cr\rhere\"");
    long_field();
    return check_failures ? 1 : 0;
}
