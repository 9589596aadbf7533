/*
 * tests/core/permissions.c - permission names (core/formats/permission.c):
 * the kind:argument grammar, good and bad, the form a file keeps of a name
 * (a relative path joined to the file's folder, a host in lower case), and
 * whether a grant covers a request, with the nearest misses of each right:
 * a sibling folder that shares the granted one's prefix, ".." leading out,
 * fs.read asked to cover fs.write, the next port, the granted host by
 * another name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support.h"

#include "formats/formats.h"

static void test_core_permissions__good(void **state)
{
    static const struct {
        const char *text;
        uint32_t kind;
        const char *arg;
        uint32_t port;
    } good[] = {
        {"secrets", FACET_PERMISSION_PLAIN, "secrets", 0},
        {"org.example.clock-2_b", FACET_PERMISSION_PLAIN, "org.example.clock-2_b", 0},
        {"fs.read", FACET_PERMISSION_PLAIN, "fs.read", 0}, /* a plain name, as before */
        {"fs.read:/data", FACET_PERMISSION_FS_READ, "/data", 0},
        {"fs.read:data/in", FACET_PERMISSION_FS_READ, "data/in", 0},
        {"fs.write:C:\\out", FACET_PERMISSION_FS_WRITE, "C:\\out", 0},
        {"fs.write:/a b/c:d", FACET_PERMISSION_FS_WRITE, "/a b/c:d", 0},
        {"net.connect:example.org:443", FACET_PERMISSION_NET_CONNECT, "example.org", 443},
        {"net.connect:127.0.0.1:1", FACET_PERMISSION_NET_CONNECT, "127.0.0.1", 1},
        {"net.connect:LocalHost:65535", FACET_PERMISSION_NET_CONNECT, "LocalHost", 65535},
        {"net.connect:[::1]:443", FACET_PERMISSION_NET_CONNECT, "::1", 443},
        {"net.connect:[fe80::1:2]:8080", FACET_PERMISSION_NET_CONNECT, "fe80::1:2", 8080},
        {"net.connect:[::ffff:10.0.0.1]:80", FACET_PERMISSION_NET_CONNECT, "::ffff:10.0.0.1", 80},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        FacetPermission pm;
        char why[256];
        print_message("%s\n", good[i].text);
        assert_int_equal(facet__permission_parse(&pm, good[i].text, why, sizeof(why)), 1);
        assert_string_equal(why, "");
        assert_int_equal(pm.kind, good[i].kind);
        assert_int_equal(pm.arg_len, strlen(good[i].arg));
        assert_memory_equal(pm.arg, good[i].arg, pm.arg_len);
        assert_int_equal(pm.port, good[i].port);
    }
}

static void test_core_permissions__bad(void **state)
{
    static const char *const bad[][2] = {
        {"", "1 to 200 characters"},
        {"has space", "letters, digits"},
        {"fs.exec:/bin", "unknown permission kind \"fs.exec\""},
        {":x", "unknown permission kind \"\""},
        {"FS.READ:/x", "unknown permission kind \"FS.READ\""},
        {"fs.read:", "the path is empty"},
        {"fs.write:", "the path is empty"},
        {"fs.read:/a\tb", "control character"},
        {"net.connect:", "no port"},
        {"net.connect:example.org", "no port"},
        {"net.connect:example.org:", "no port"},
        {"net.connect::443", "the host is empty"},
        {"net.connect:example.org:0", "out of range"},
        {"net.connect:example.org:70000", "out of range"},
        {"net.connect:example.org:65536", "out of range"},
        {"net.connect:example.org:99999999999999999999", "out of range"},
        {"net.connect:example.org:+80", "not a number"},
        {"net.connect:example.org:8o", "not a number"},
        {"net.connect:::1:443", "written in brackets"},
        {"net.connect:fe80::1:80", "written in brackets"},
        {"net.connect:[::1]", "no port"},
        {"net.connect:[::1]443", "no port"},
        {"net.connect:[::1:443", "no ']'"},
        {"net.connect:[]:443", "the host is empty"},
        {"net.connect:[example.org]:443", "expected an IPv6 address"},
        {"net.connect:[10.0.0.1]:443", "only an IPv6 address"},
        {"net.connect:[::g]:443", "IPv6 address"},
        {"net.connect:exa mple.org:443", "letters, digits"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FacetPermission pm;
        char why[256];
        assert_int_equal(facet__permission_parse(&pm, bad[i][0], why, sizeof(why)), 0);
        print_message("%s: %s\n", bad[i][0], why);
        if (strstr(why, bad[i][1]) == NULL)
            fail_msg("\"%s\": \"%s\" does not say \"%s\"", bad[i][0], why, bad[i][1]);
        /* and it covers nothing, nor is it covered */
        assert_int_equal(facet__permission_covers(bad[i][0], bad[i][0]), 0);
    }
}

/* The form kept: joined to the file's folder, normalised, lower case. */
static void test_core_permissions__canonical(void **state)
{
    static const char *const cases[][3] = {
        {"secrets", "/etc/facet", "secrets"},
        {"fs.read:data", "/etc/facet", "fs.read:/etc/facet/data"},
        {"fs.read:./data/../in/", "/etc/facet", "fs.read:/etc/facet/in"},
        {"fs.write:../shared", "/etc/facet", "fs.write:/etc/shared"},
        {"fs.read:/abs/./x", "/etc/facet", "fs.read:/abs/x"},
        {"fs.read:C:\\data\\..\\in", "/etc/facet", "fs.read:C:/in"},
        {"net.connect:LocalHost:0080", "/etc/facet", "net.connect:localhost:80"},
        {"net.connect:[FE80::1]:443", "/etc/facet", "net.connect:[fe80::1]:443"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        FacetArena arena = {NULL, 0};
        const char *out = NULL;
        char why[256];
        assert_int_equal(facet__permission_canonical(&out, &arena, cases[i][0], cases[i][1], why,
                                                     sizeof(why)),
                         FACET_OK);
        print_message("%s in %s -> %s\n", cases[i][0], cases[i][1], out);
        assert_string_equal(out, cases[i][2]);
        facet__arena_free(&arena);
    }
    {
        FacetArena arena = {NULL, 0};
        const char *out = (const char *)1;
        char why[256];
        assert_int_equal(facet__permission_canonical(&out, &arena, "net.connect:x:0", "/", why,
                                                     sizeof(why)),
                         FACET_E_INVALIDARG);
        assert_null(out);
        assert_non_null(strstr(why, "out of range"));
        facet__arena_free(&arena);
    }
    assert_int_equal(facet_testing_live_allocations(), 0);
}

static void test_core_permissions__covers(void **state)
{
    static const struct {
        const char *grant, *request;
        int covers;
    } cases[] = {
        /* plain names: the same name */
        {"secrets", "secrets", 1},
        {"secrets", "secrets2", 0},
        {"fs.read", "fs.read:/data", 0},
        {"fs.read:/data", "fs.read", 0},
        /* a folder covers itself and what is under it */
        {"fs.read:/data", "fs.read:/data", 1},
        {"fs.read:/data", "fs.read:/data/x/y.txt", 1},
        {"fs.read:/data/", "fs.read:/data/x", 1},
        {"fs.read:/", "fs.read:/anything", 1},
        /* never a sibling with a shared prefix, nor the folder above */
        {"fs.read:/data", "fs.read:/data2", 0},
        {"fs.read:/data", "fs.read:/data2/x", 0},
        {"fs.read:/data", "fs.read:/dat", 0},
        {"fs.read:/data/x", "fs.read:/data", 0},
        /* ".." leading out, and back in */
        {"fs.read:/data", "fs.read:/data/../etc/passwd", 0},
        {"fs.read:/data", "fs.read:/data/x/../../data2", 0},
        {"fs.read:/data", "fs.read:/data/x/../y", 1},
        {"fs.read:/data/./", "fs.read:/data/y", 1},
        /* fs.write covers fs.read; fs.read never covers fs.write */
        {"fs.write:/data", "fs.read:/data/x", 1},
        {"fs.write:/data", "fs.write:/data/x", 1},
        {"fs.read:/data", "fs.write:/data/x", 0},
        {"fs.read:/data", "fs.write:/data", 0},
        {"fs.write:/data", "fs.write:/data2", 0},
        /* a relative path never meets an absolute one */
        {"fs.read:data", "fs.read:/data", 0},
        /* net.connect: host and port exactly, the host in lower case */
        {"net.connect:127.0.0.1:8080", "net.connect:127.0.0.1:8080", 1},
        {"net.connect:127.0.0.1:8080", "net.connect:127.0.0.1:8081", 0},
        {"net.connect:127.0.0.1:8080", "net.connect:127.0.0.1:8079", 0},
        {"net.connect:localhost:8080", "net.connect:127.0.0.1:8080", 0},
        {"net.connect:127.0.0.1:8080", "net.connect:localhost:8080", 0},
        {"net.connect:Example.ORG:443", "net.connect:example.org:443", 1},
        {"net.connect:example.org:443", "net.connect:www.example.org:443", 0},
        {"net.connect:[::1]:443", "net.connect:[::1]:443", 1},
        {"net.connect:[::1]:443", "net.connect:127.0.0.1:443", 0},
        {"net.connect:[::1]:443", "net.connect:[0::1]:443", 0},
        {"net.connect:example.org:443", "fs.read:/example.org", 0},
        {"fs.read:/example.org", "net.connect:example.org:443", 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int got = facet__permission_covers(cases[i].grant, cases[i].request);
        if (got != cases[i].covers)
            fail_msg("\"%s\" %s \"%s\"; expected the opposite", cases[i].grant,
                     got ? "covers" : "does not cover", cases[i].request);
    }
    assert_int_equal(facet__permission_covers(NULL, "secrets"), 0);
    assert_int_equal(facet__permission_covers("secrets", NULL), 0);
    assert_int_equal(facet_testing_live_allocations(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_permissions__good),
        cmocka_unit_test(test_core_permissions__bad),
        cmocka_unit_test(test_core_permissions__canonical),
        cmocka_unit_test(test_core_permissions__covers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
