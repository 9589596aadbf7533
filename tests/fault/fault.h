/*
 * tests/fault/fault.h - the failure loop shared by the fault tests, in the
 * manner of SQLite's: run a scenario once to count the calls of one kind it
 * makes, then once per call failing the 1st, 2nd, ... Nth of them, first
 * failing only that call (transient) and then every call from it on
 * (persistent). Each run must succeed or fail with an allowed code and a
 * message, leak nothing, and leave the runtime usable: the same scenario,
 * run again without injection on the same state, succeeds.
 */
#ifndef FACET_TEST_FAULT_H
#define FACET_TEST_FAULT_H

#include "support.h"

typedef struct FaultScenario {
    const char *name;
    /* Builds the state the scenario runs on, without injection; may be NULL. */
    void *(*setup)(void);
    /* The scenario. It undoes what it did before it returns, on success
     * and on failure alike, so it can run again on the same state. */
    FacetResult (*run)(void *state);
    /* Frees the state; may be NULL. */
    void (*teardown)(void *state);
    /* Failure codes allowed besides FACET_OK, ended by FACET_OK. */
    FacetResult allowed[8];
    /* Text every failure message must contain (e.g. the module's name), or NULL. */
    const char *mentions;
} FaultScenario;

/* Returns from the calling scenario with the first failure: TRY(call). */
#define TRY(call)                    \
    do {                             \
        FacetResult try_r_ = (call); \
        if (FACET_FAILED(try_r_))    \
            return try_r_;           \
    } while (0)

/* Setup and teardown for scenarios that run on a runtime. */
void *fault_new_runtime(void);
void fault_free_runtime(void *rt);

/* Runs the loop for calls of kind (FACET_FAULT_*) and returns how many
 * injection points it exercised (calls counted, each failed both ways). */
uint64_t fault_loop(uint32_t kind, const FaultScenario *s);

/* Every point that fault_loop exercised in this process, per kind. */
uint64_t fault_points_total(uint32_t kind);

/* Prints the totals; call once at the end of main. */
void fault_print_totals(const char *program);

#endif
