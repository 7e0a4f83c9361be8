/* The one rule for the names of a trace's files (schema/trace_names.h). */
#include "check.h"
#include "trace_names.h"

int main(void)
{
    CHECK(discon_trace_file_name_is("trace-000000.discon"));
    CHECK(discon_trace_file_name_is("x.discon"));
    CHECK(!discon_trace_file_name_is(".discon"));
    CHECK(!discon_trace_file_name_is("trace-000000.discon.orig"));
    CHECK(!discon_trace_file_name_is("trace-000000.discon~"));
    CHECK(!discon_trace_file_name_is(NULL));

    CHECK_EQ(discon_trace_file_index("rec-000012.discon", "rec"), 12);
    CHECK_EQ(discon_trace_file_index("rec-1234567.discon", "rec"), 1234567);
    CHECK_EQ(discon_trace_file_index("rec-000012.discon.orig", "rec"), -1);
    CHECK_EQ(discon_trace_file_index("rec-000012.discon", "re"), -1);
    CHECK_EQ(discon_trace_file_index("rec-x000012.discon", "rec"), -1);
    CHECK_EQ(discon_trace_file_index("rec-.discon", "rec"), -1);
    CHECK_EQ(discon_trace_file_index("rec-0000000001.discon", "rec"), -1); /* 10 digits */
    CHECK_EQ(discon_trace_file_index("rec-other-000001.discon", "rec"), -1);
    CHECK_EQ(discon_trace_file_index(NULL, "rec"), -1);

    char name[64];
    CHECK_EQ(discon_trace_file_name(name, sizeof name, "rec", 7), 17);
    CHECK(strcmp(name, "rec-000007.discon") == 0);
    CHECK_EQ(discon_trace_file_index(name, "rec"), 7);
    CHECK(discon_trace_file_name(name, 4, "rec", 7) >= 4); /* cut, and says so */
    CHECK_EQ(discon_trace_file_name(NULL, 4, "rec", 7), -1);
    CHECK_DONE();
}
