/*
 * tests/services/net.c - IFacetNet in the host's process, on every
 * platform (Winsock on Windows): a module's host object connects where
 * the module's manifest requests net.connect:HOST:PORT and the
 * configuration grants it, and refuses the next port, the granted host by
 * another name, and a grant the manifest never requested with
 * FACET_E_ACCESSDENIED and a message naming host:port. The listener on
 * loopback never accepts: the system completes a connection to its
 * backlog, which is all Connect waits for.
 */
#include <string.h>

#include "plugtest.h"

#include "loopback.h"

static IFacetNet *net_of(FacetRuntime *rt, const char *contract)
{
    ITestProbe *p = NULL;
    IFacetUnknown *host = NULL;
    IFacetNet *net = NULL;
    assert_int_equal(facet_create_instance_by_name((void **)&p, rt, contract, NULL,
                                                   &IID_ITestProbe),
                     FACET_OK);
    /* the module's own host object, as the module would ask it */
    assert_int_equal(ITestProbe_Probe(p, &IID_IFacetNet, &host), FACET_OK);
    assert_int_equal(IFacetUnknown_QueryInterface(host, &IID_IFacetNet, (void **)&net), FACET_OK);
    IFacetUnknown_Release(host);
    ITestProbe_Release(p);
    return net;
}

static void test_services_net__connect_checked(void **state)
{
    char dir[4096], path[4200], text[1024];
    uint16_t port;
    TestSocket listener = loopback_listen(&port);
    FacetRuntime *rt;
    IFacetNet *net;
    uint64_t s = 0;
    (void)state;

    snprintf(dir, sizeof(dir), "%s", plug_folder());
    snprintf(text, sizeof(text),
             "\"permissions\": [\"net.connect:127.0.0.1:%u\", \"net.connect:127.0.0.1:%u\", "
             "\"net.connect:localhost:%u\"]",
             (unsigned)port, (unsigned)port + 1, (unsigned)port);
    plug_install(dir, "plug_a", "test.a", 1, NULL, text);
    snprintf(text, sizeof(text),
             "{\"plugin_folders\": [\".\"],\n"
             " \"modules\": {\"test.a\": {\"permissions\": [\"net.connect:127.0.0.1:%u\",\n"
             "   \"net.connect:127.0.0.1:%u\"]}}}",
             (unsigned)port, (unsigned)port + 2);
    plug_write(dir, "facet.conf.json", text);
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    net = net_of(rt, "test.a.thing");

    /* requested and granted: connected (the positive control) */
    assert_int_equal(IFacetNet_Connect(net, "127.0.0.1", port, &s), FACET_OK);
    assert_int_not_equal(s, UINT64_MAX);
    close_socket((TestSocket)s);
    /* the next port: requested, not granted */
    s = 0;
    snprintf(text, sizeof(text), "127.0.0.1:%u", (unsigned)port + 1);
    expect_error(IFacetNet_Connect(net, "127.0.0.1", (uint32_t)port + 1, &s), FACET_E_ACCESSDENIED,
                 "module test.a", text, "the host configuration does not grant it");
    assert_int_equal(s, UINT64_MAX);
    /* the granted host by another name */
    snprintf(text, sizeof(text), "localhost:%u", (unsigned)port);
    expect_error(IFacetNet_Connect(net, "localhost", port, &s), FACET_E_ACCESSDENIED, text);
    /* granted, never requested */
    snprintf(text, sizeof(text), "127.0.0.1:%u", (unsigned)port + 2);
    expect_error(IFacetNet_Connect(net, "127.0.0.1", (uint32_t)port + 2, &s), FACET_E_ACCESSDENIED,
                 text, "its manifest does not request it");
    /* what no permission could name */
    expect_error(IFacetNet_Connect(net, "127.0.0.1", 0, &s), FACET_E_INVALIDARG, "1 to 65535");
    expect_error(IFacetNet_Connect(net, "a b", port, &s), FACET_E_INVALIDARG, "\"a b\"");
    assert_int_equal(IFacetNet_Connect(net, NULL, port, &s), FACET_E_POINTER);
    assert_int_equal(IFacetNet_Connect(net, "127.0.0.1", port, NULL), FACET_E_POINTER);
    /* and the granted one again, after the refusals */
    assert_int_equal(IFacetNet_Connect(net, "127.0.0.1", port, &s), FACET_OK);
    close_socket((TestSocket)s);

    IFacetNet_Release(net);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    close_socket(listener);
    facet_test_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_net__connect_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
