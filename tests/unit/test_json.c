/* Unit tests: the JSON writer (commas, nesting, escapes, invalid UTF-8). */
#include "check.h"
#include "json.h"

static void test_structure(void)
{
        struct json j;
        json_init(&j);
        json_begin_array(&j);
        json_begin_object(&j);
        json_kv_string(&j, "id", "abc");
        json_kv_int(&j, "n", -42);
        json_kv_bool(&j, "ok", true);
        json_kv_string(&j, "none", NULL);
        json_key(&j, "list");
        json_begin_array(&j);
        json_int(&j, 1);
        json_int(&j, 2);
        json_end_array(&j);
        json_key(&j, "empty");
        json_begin_object(&j);
        json_end_object(&j);
        json_end_object(&j);
        json_begin_object(&j);
        json_end_object(&j);
        json_end_array(&j);
        CHECK_STR(json_text(&j), "[{\"id\":\"abc\",\"n\":-42,\"ok\":true,\"none\":null,"
                                 "\"list\":[1,2],\"empty\":{}},{}]");
        json_free(&j);
}

static void test_escapes(void)
{
        struct json j;
        char buf[64];
        json_init(&j);
        json_string(&j, "q\"b\\n\n\t\x01\x7f é \xff end");
        CHECK_STR(json_text(&j), "\"q\\\"b\\\\n\\u000a\\u0009\\u0001\\u007f é \\ufffd end\"");
        json_free(&j);

        /* Overlong and surrogate encodings are not UTF-8. */
        json_init(&j);
        json_string(&j, "\xc0\xaf\xed\xa0\x80");
        CHECK_STR(json_text(&j), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
        json_free(&j);

        /* A fixed buffer is cut at a character boundary, never inside an escape. */
        CHECK_INT(json_escape_buf(buf, 8, "ab\"cdef"), 7);
        CHECK_STR(buf, "ab\\\"cde");
        CHECK_INT(json_escape_buf(buf, 6, "abcd\n"), 4);
        CHECK_STR(buf, "abcd");
        CHECK_INT(json_escape_buf(buf, 5, "abé"), 4);
        CHECK_STR(buf, "abé");
        CHECK_INT(json_escape_buf(buf, 4, "abé"), 2);
        CHECK_STR(buf, "ab");
}

int main(void)
{
        test_structure();
        test_escapes();
        CHECK_DONE();
}
