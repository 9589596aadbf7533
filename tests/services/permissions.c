/*
 * tests/services/permissions.c - host services by IID: plain ones for every
 * module, permissioned ones only where the manifest requests the permission
 * and the configuration grants it.
 */
#include <pthread.h>
#include <string.h>

#include "plugtest.h"

static Journal secret;  /* any object will do as a service */
static Journal journal;

static FacetRuntime *setup(char *dir, size_t size)
{
    FacetRuntime *rt;
    char path[4200];
    snprintf(dir, size, "%s", plug_folder());
    /* a: requests "secrets", granted; b: requests it, not granted; c: does not request it */
    plug_install(dir, "plug_a", "test.a", 1, NULL, "\"permissions\": [\"secrets\"]");
    plug_install(dir, "plug_b", "test.b", 2, NULL, "\"permissions\": [\"secrets\", \"net\"]");
    plug_install(dir, "plug_c", "test.c", 3, NULL, NULL);
    plug_write(dir, "facet.conf.json",
               "{\"plugin_folders\": [\".\"],\n"
               " \"modules\": {\"test.a\": {\"permissions\": [\"secrets\"]},\n"
               "             \"test.b\": {\"permissions\": [\"net\"]},\n"
               "             \"test.c\": {\"permissions\": [\"secrets\"]}}}");
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    journal_init(&secret);
    journal_init(&journal);
    return rt;
}

static FacetResult ask(FacetRuntime *rt, const char *module, const FacetGuid *sid,
                       IFacetUnknown **out)
{
    ITestProbe *p = NULL;
    FacetResult r = facet_create_instance_by_name((void **)&p, rt, module, NULL, &IID_ITestProbe);
    assert_int_equal(r, FACET_OK);
    r = ITestProbe_Probe(p, sid, out);
    ITestProbe_Release(p);
    return r;
}

static void test_services_permissions__granted_and_denied(void **state)
{
    char dir[4096];
    FacetRuntime *rt = setup(dir, sizeof(dir));
    IFacetUnknown *got = NULL;
    (void)state;
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf,
                                            "secrets"),
                     FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf,
                                            NULL),
                     FACET_OK);
    assert_int_equal(secret.refs, 2);
    /* granted and requested */
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestSecret, &got), FACET_OK);
    assert_ptr_equal(got, &secret.itf);
    IFacetUnknown_Release(got);
    /* requested, not granted */
    got = (IFacetUnknown *)1;
    expect_error(ask(rt, "test.b.thing", &IID_ITestSecret, &got), FACET_E_ACCESSDENIED,
                 "module test.b", "{7A000003-5D3E-4A5B-9C01-112233445503}", "\"secrets\"",
                 "host configuration does not grant it");
    assert_null(got);
    /* granted, not requested */
    expect_error(ask(rt, "test.c.thing", &IID_ITestSecret, &got), FACET_E_ACCESSDENIED,
                 "module test.c", "{7A000003-5D3E-4A5B-9C01-112233445503}", "\"secrets\"",
                 "manifest does not request it");
    /* a plain service: everyone */
    assert_int_equal(ask(rt, "test.c.thing", &IID_ITestJournal, &got), FACET_OK);
    IFacetUnknown_Release(got);
    /* not registered */
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestProbe, &got), FACET_E_NOINTERFACE);
    /* withdrawn */
    assert_int_equal(facet_service_unregister(rt, &IID_ITestSecret), FACET_OK);
    assert_int_equal(secret.refs, 1);
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestSecret, &got), FACET_E_NOINTERFACE);
    expect_error(facet_service_unregister(rt, &IID_ITestSecret), FACET_E_NOTFOUND,
                 "{7A000003-5D3E-4A5B-9C01-112233445503}", "not registered");
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(journal.refs, 1);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

static void test_services_permissions__module_by_path(void **state)
{
    FacetRuntime *rt;
    FacetModule *m;
    ITestProbe *p = NULL;
    IFacetUnknown *got = NULL;
    (void)state;
    journal_init(&secret);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf,
                                            "secrets"),
                     FACET_OK);
    /* loaded without a manifest: it cannot have requested anything */
    assert_int_equal(facet_module_load(&m, rt, facet_test_module("plug_a")), FACET_OK);
    assert_int_equal(facet_create_instance_by_name((void **)&p, rt, "test.a.thing", NULL,
                                                   &IID_ITestProbe),
                     FACET_OK);
    expect_error(ITestProbe_Probe(p, &IID_ITestSecret, &got), FACET_E_ACCESSDENIED,
                 "module test.a", "manifest (it has none) does not request it");
    ITestProbe_Release(p);
    assert_int_equal(facet_module_unload(m), FACET_OK);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(secret.refs, 1);
    assert_no_leaks();
}

static void test_services_permissions__register_errors(void **state)
{
    FacetRuntime *rt;
    (void)state;
    journal_init(&secret);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf, NULL),
                     FACET_OK);
    expect_error(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf, NULL),
                 FACET_E_CONFLICT, "already registered");
    expect_error(facet_service_register(rt, &IID_IFacetAllocator, (IFacetUnknown *)&secret.itf, NULL),
                 FACET_E_CONFLICT, "host object's own");
    expect_error(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&secret.itf, ""),
                 FACET_E_INVALIDARG, "permission name is empty");
    expect_error(facet_service_register(rt, &IID_ITestJournal, NULL, NULL), FACET_E_POINTER,
                 "service");
    facet_testing_fail(FACET_FAULT_ALLOC, 1, 0);
    expect_error(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&secret.itf, "p"),
                 FACET_E_OUTOFMEMORY, "out of memory");
    facet_testing_fail(FACET_FAULT_ALLOC, 0, 0);
    assert_int_equal(secret.refs, 2);
    /* the host's own object sees every service, permissioned or not */
    {
        IFacetAllocator *alloc;
        IFacetHost *host;
        IFacetUnknown *got = NULL;
        assert_int_equal(facet_runtime_allocator(&alloc, rt), FACET_OK);
        assert_int_equal(IFacetAllocator_QueryInterface(alloc, &IID_IFacetHost, (void **)&host), FACET_OK);
        assert_int_equal(IFacetHost_QueryService(host, &IID_ITestSecret, &IID_IFacetUnknown, (void **)&got),
                         FACET_OK);
        IFacetUnknown_Release(got);
        IFacetHost_Release(host);
        IFacetAllocator_Release(alloc);
    }
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(secret.refs, 1);
    assert_no_leaks();
}

/* A service a module holds when the host withdraws it stays the module's
 * until it lets go; the next module to ask does not get it, and the sid
 * can be registered again. */
static void test_services_permissions__withdrawn_while_held(void **state)
{
    char dir[4096];
    FacetRuntime *rt = setup(dir, sizeof(dir));
    IFacetUnknown *held = NULL, *got = NULL;
    (void)state;
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf,
                                            NULL),
                     FACET_OK);
    assert_int_equal(ask(rt, "test.c.thing", &IID_ITestJournal, &held), FACET_OK);
    assert_ptr_equal(held, &journal.itf);
    assert_int_equal(journal.refs, 3); /* ours, the runtime's, the module's */
    assert_int_equal(facet_service_unregister(rt, &IID_ITestJournal), FACET_OK);
    assert_int_equal(journal.refs, 2);
    assert_int_equal(ITestJournal_Record((ITestJournal *)held, "still mine"), FACET_OK);
    assert_string_equal(journal.text, "still mine");
    got = (IFacetUnknown *)1;
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestJournal, &got), FACET_E_NOINTERFACE);
    assert_null(got);
    IFacetUnknown_Release(held);
    assert_int_equal(journal.refs, 1);
    /* registered again, now with a permission: what it was is forgotten */
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf,
                                            "secrets"),
                     FACET_OK);
    expect_error(ask(rt, "test.c.thing", &IID_ITestJournal, &got), FACET_E_ACCESSDENIED,
                 "module test.c", "needs permission \"secrets\"", "manifest does not request it");
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestJournal, &got), FACET_OK);
    IFacetUnknown_Release(got);
    /* the runtime lets go of what is still registered when it is freed */
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(journal.refs, 1);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* Modules scanned from a folder without a configuration: the manifest
 * requests the permission, and nothing grants it. */
static void test_services_permissions__no_configuration(void **state)
{
    char dir[4096];
    FacetRuntime *rt;
    IFacetUnknown *got = NULL;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, "\"permissions\": [\"secrets\"]");
    journal_init(&secret);
    journal_init(&journal);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_scan(NULL, rt, dir), FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf,
                                            "secrets"),
                     FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestJournal, (IFacetUnknown *)&journal.itf,
                                            NULL),
                     FACET_OK);
    expect_error(ask(rt, "test.a.thing", &IID_ITestSecret, &got), FACET_E_ACCESSDENIED,
                 "module test.a", "the host configuration (none loaded) does not grant it",
                 "modules.\"test.a\".permissions");
    assert_null(got);
    /* the positive control: a plain service reaches the same module */
    assert_int_equal(ask(rt, "test.a.thing", &IID_ITestJournal, &got), FACET_OK);
    assert_ptr_equal(got, &journal.itf);
    IFacetUnknown_Release(got);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_int_equal(secret.refs, 1);
    assert_int_equal(journal.refs, 1);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

/* NULL where the API needs something names the argument and changes
 * nothing. */
static void test_services_permissions__null_arguments(void **state)
{
    FacetRuntime *rt;
    IFacetUnknown *itf = (IFacetUnknown *)&secret.itf;
    (void)state;
    journal_init(&secret);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    expect_error(facet_service_register(NULL, &IID_ITestSecret, itf, NULL), FACET_E_POINTER,
                 "facet_service_register", "'rt'");
    expect_error(facet_service_register(rt, NULL, itf, NULL), FACET_E_POINTER,
                 "facet_service_register", "'sid'");
    expect_error(facet_service_register(rt, &IID_ITestSecret, NULL, "secrets"), FACET_E_POINTER,
                 "facet_service_register", "'service'");
    expect_error(facet_service_unregister(NULL, &IID_ITestSecret), FACET_E_POINTER,
                 "facet_service_unregister", "'rt'");
    expect_error(facet_service_unregister(rt, NULL), FACET_E_POINTER, "facet_service_unregister",
                 "'sid'");
    assert_int_equal(secret.refs, 1);
    /* none of the host object's own interfaces can be taken */
    {
        const FacetGuid *own[] = {&IID_IFacetUnknown, &IID_IFacetHost, &IID_IFacetAllocator,
                                  &IID_IFacetLogger, &IID_IFacetConfig};
        size_t i;
        for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
            expect_error(facet_service_register(rt, own[i], itf, NULL), FACET_E_CONFLICT,
                         "is one of the host object's own interfaces");
    }
    /* nothing was registered by any of them */
    expect_error(facet_service_unregister(rt, &IID_ITestSecret), FACET_E_NOTFOUND,
                 "{7A000003-5D3E-4A5B-9C01-112233445503} is not registered");
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, itf, NULL), FACET_OK);
    assert_int_equal(secret.refs, 2);
    assert_int_equal(facet_service_unregister(rt, &IID_ITestSecret), FACET_OK);
    assert_int_equal(secret.refs, 1);
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    assert_no_leaks();
}

typedef struct Racer {
    FacetRuntime *rt;
    int failures;
    char first[1024]; /* what went wrong first, for the report */
} Racer;

static void racer_failed(Racer *x, const char *what, FacetResult r)
{
    if (x->failures++ == 0)
        snprintf(x->first, sizeof(x->first), "%s: %s (%s)", what, facet_result_name(r),
                 facet_last_error());
}

/* The test.a object asks for the granted service, the test.b object for
 * the denied one, over and over, while the other threads do the same. */
static void *race(void *arg)
{
    Racer *x = arg;
    int i;
    for (i = 0; i < 200; i++) {
        ITestProbe *a = NULL, *b = NULL;
        IFacetUnknown *got = NULL;
        FacetResult r;
        if ((r = facet_create_instance_by_name((void **)&a, x->rt, "alias-a", NULL,
                                               &IID_ITestProbe)) != FACET_OK) {
            racer_failed(x, "create alias-a", r);
            return NULL;
        }
        if ((r = facet_create_instance_by_name((void **)&b, x->rt, "test.b.thing", NULL,
                                               &IID_ITestProbe)) != FACET_OK) {
            racer_failed(x, "create test.b.thing", r);
            ITestProbe_Release(a);
            return NULL;
        }
        if ((r = ITestProbe_Probe(a, &IID_ITestSecret, &got)) != FACET_OK)
            racer_failed(x, "test.a asks for the granted service", r);
        else
            IFacetUnknown_Release(got);
        if ((r = ITestProbe_Probe(b, &IID_ITestSecret, &got)) != FACET_E_ACCESSDENIED)
            racer_failed(x, "test.b asks for the denied service", r);
        ITestProbe_Release(a);
        ITestProbe_Release(b);
    }
    return NULL;
}

static void test_services_permissions__concurrent(void **state)
{
    char dir[4096], path[4200];
    FacetRuntime *rt;
    pthread_t threads[4];
    Racer racers[4];
    int i;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", plug_folder());
    plug_install(dir, "plug_a", "test.a", 1, NULL, "\"permissions\": [\"secrets\"]");
    plug_install(dir, "plug_b", "test.b", 2, NULL, "\"permissions\": [\"secrets\"]");
    plug_write(dir, "facet.conf.json",
               "{\"plugin_folders\": [\".\"], \"aliases\": {\"alias-a\": \"test.a.thing\"},\n"
               " \"modules\": {\"test.a\": {\"permissions\": [\"secrets\"]}}}");
    snprintf(path, sizeof(path), "%s/facet.conf.json", dir);
    journal_init(&secret);
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    assert_int_equal(facet_runtime_load_config(NULL, rt, path), FACET_OK);
    assert_int_equal(facet_service_register(rt, &IID_ITestSecret, (IFacetUnknown *)&secret.itf,
                                            "secrets"),
                     FACET_OK);
    for (i = 0; i < 4; i++) {
        racers[i].rt = rt;
        racers[i].failures = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, race, &racers[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        if (racers[i].failures != 0)
            fail_msg("thread %d: %d failures, the first: %s", i, racers[i].failures,
                     racers[i].first);
    }
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
    facet_test_remove_tree(dir);
    assert_no_leaks();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_permissions__granted_and_denied),
        cmocka_unit_test(test_services_permissions__module_by_path),
        cmocka_unit_test(test_services_permissions__register_errors),
        cmocka_unit_test(test_services_permissions__withdrawn_while_held),
        cmocka_unit_test(test_services_permissions__no_configuration),
        cmocka_unit_test(test_services_permissions__null_arguments),
        cmocka_unit_test(test_services_permissions__concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
