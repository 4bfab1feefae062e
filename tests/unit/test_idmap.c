/* Unit tests: /etc/subuid parsing into id maps, formats and fingerprints. */
#include "check.h"
#include "idmap.h"

static void test_single(void)
{
        struct id_map m;
        CHECK_INT(idmap_build(NULL, "alice", 1000, &m), 0);
        CHECK_INT(m.n, 1);
        CHECK_INT(m.total, 1);
        CHECK(idmap_contains(&m, 0));
        CHECK(!idmap_contains(&m, 1));
        char fp[64];
        idmap_fingerprint(&m, fp, sizeof fp);
        CHECK_STR(fp, "s");
}

static void test_range_by_name_and_uid(void)
{
        struct id_map m;
        const char *subuid = "bob:300000:65536\n"
                             "# alice:1:1 is a comment\n"
                             "alice:100000:65536\n"
                             "garbage line\n"
                             "1000:200000:10\n"
                             "alice:notanumber:5\n"
                             "alice:400000:0\n";
        CHECK_INT(idmap_build(subuid, "alice", 1000, &m), 65546);
        CHECK_INT(m.n, 3);
        CHECK_INT(m.ext[1].inside, 1);
        CHECK_INT(m.ext[1].outside, 100000);
        CHECK_INT(m.ext[1].count, 65536);
        CHECK_INT(m.ext[2].inside, 65537);
        CHECK_INT(m.ext[2].outside, 200000);
        CHECK(idmap_contains(&m, 65546));
        CHECK(!idmap_contains(&m, 65547));

        char buf[256];
        CHECK_INT(idmap_format(&m, buf, sizeof buf), 0);
        CHECK_STR(buf, "0 1000 1\n1 100000 65536\n65537 200000 10\n");
}

static void test_fingerprints_differ(void)
{
        struct id_map a, b, c;
        char fa[64], fb[64], fc[64];
        idmap_build("u:100000:65536\n", "u", 1, &a);
        idmap_build("u:200000:65536\n", "u", 1, &b);
        idmap_build("u:100000:10\nu:5000:10\n", "u", 1, &c);
        idmap_fingerprint(&a, fa, sizeof fa);
        idmap_fingerprint(&b, fb, sizeof fb);
        idmap_fingerprint(&c, fc, sizeof fc);
        CHECK_STR(fa, "r100000-65536");
        CHECK(strcmp(fa, fb) != 0);
        CHECK(strncmp(fc, "m2-", 3) == 0);
}

static void test_no_last_newline_and_prefix_names(void)
{
        struct id_map m;
        /* "al" must not match "alice", and a last line without newline still counts. */
        CHECK_INT(idmap_build("al:1:5\nalice:7000:3", "alice", 42, &m), 3);
        CHECK_INT(m.ext[1].outside, 7000);
}

static void test_overflowing_range_skipped(void)
{
        struct id_map m;
        CHECK_INT(idmap_build("x:4294967000:1000\n", "x", 5, &m), 0);
}

static void test_format_too_small(void)
{
        struct id_map m;
        char buf[8];
        idmap_build("u:100000:65536\n", "u", 1, &m);
        CHECK(idmap_format(&m, buf, sizeof buf) < 0);
}

int main(void)
{
        test_single();
        test_range_by_name_and_uid();
        test_fingerprints_differ();
        test_no_last_newline_and_prefix_names();
        test_overflowing_range_skipped();
        test_format_too_small();
        CHECK_DONE();
}
