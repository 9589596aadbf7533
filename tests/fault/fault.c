/*
 * tests/fault/fault.c - the failure loop (see fault.h).
 */
#include "fault.h"

#include <stdio.h>
#include <string.h>

static uint64_t totals[FACET_FAULT_KINDS];

static const char *const kind_names[FACET_FAULT_KINDS] = {"allocation", "file", "loader",
                                                          "process", "watch"};

static int allowed(const FaultScenario *s, FacetResult r)
{
    size_t i;
    for (i = 0; i < sizeof(s->allowed) / sizeof(s->allowed[0]) && s->allowed[i] != FACET_OK; i++)
        if (s->allowed[i] == r)
            return 1;
    return 0;
}

static void run_once(uint32_t kind, const FaultScenario *s, uint64_t nth, int persistent,
                     uint64_t *failed_runs)
{
    void *state = s->setup ? s->setup() : NULL;
    uint64_t injected;
    FacetResult r;

    facet_error_clear();
    facet_testing_fail(kind, nth, persistent);
    r = s->run(state);
    injected = facet_testing_failures(kind);
    facet_testing_fail(kind, 0, 0);

    if (FACET_FAILED(r)) {
        if (!allowed(s, r))
            fail_msg("%s: failing %s call %llu%s gave %s: %s", s->name, kind_names[kind],
                     (unsigned long long)nth, persistent ? " and on" : "", facet_result_name(r),
                     facet_last_error());
        if (injected == 0)
            fail_msg("%s: failed with %s though no call was failed: %s", s->name,
                     facet_result_name(r), facet_last_error());
        if (facet_last_error()[0] == '\0')
            fail_msg("%s: failing %s call %llu gave %s with no message", s->name,
                     kind_names[kind], (unsigned long long)nth, facet_result_name(r));
        if (s->mentions != NULL && strstr(facet_last_error(), s->mentions) == NULL)
            fail_msg("%s: the message \"%s\" does not name \"%s\"", s->name, facet_last_error(),
                     s->mentions);
        ++*failed_runs;
    }
    /* Still usable: the same work on the same state succeeds. */
    r = s->run(state);
    if (r != FACET_OK)
        fail_msg("%s: after failing %s call %llu%s, a clean run gave %s: %s", s->name,
                 kind_names[kind], (unsigned long long)nth, persistent ? " and on" : "",
                 facet_result_name(r), facet_last_error());
    if (s->teardown)
        s->teardown(state);
    assert_no_leaks();
}

uint64_t fault_loop(uint32_t kind, const FaultScenario *s)
{
    void *state = s->setup ? s->setup() : NULL;
    uint64_t count, nth, failed_runs = 0;
    FacetResult r;
    int persistent;

    /* The counting run. */
    facet_testing_fail(kind, 0, 0);
    r = s->run(state);
    count = facet_testing_calls(kind);
    if (r != FACET_OK)
        fail_msg("%s: the counting run gave %s: %s", s->name, facet_result_name(r),
                 facet_last_error());
    if (s->teardown)
        s->teardown(state);
    assert_no_leaks();

    for (persistent = 0; persistent <= 1; persistent++)
        for (nth = 1; nth <= count; nth++)
            run_once(kind, s, nth, persistent, &failed_runs);
    printf("[ fault    ] %s: %llu %s calls, %llu runs failed cleanly, %llu succeeded\n", s->name,
           (unsigned long long)count, kind_names[kind], (unsigned long long)failed_runs,
           (unsigned long long)(2 * count - failed_runs));
    totals[kind] += count;
    return count;
}

void *fault_new_runtime(void)
{
    FacetRuntime *rt = NULL;
    assert_int_equal(facet_runtime_new(&rt, NULL), FACET_OK);
    return rt;
}

void fault_free_runtime(void *rt)
{
    assert_int_equal(facet_runtime_free(rt), FACET_OK);
}

uint64_t fault_points_total(uint32_t kind)
{
    return kind < FACET_FAULT_KINDS ? totals[kind] : 0;
}

void fault_print_totals(const char *program)
{
    uint32_t k;
    for (k = 0; k < FACET_FAULT_KINDS; k++)
        if (totals[k])
            printf("[ fault    ] %s: %llu %s injection points exercised, each failed "
                   "transiently and persistently\n",
                   program, (unsigned long long)totals[k], kind_names[k]);
}
