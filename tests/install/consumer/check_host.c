/*
 * tests/install/consumer/check_host.c - a host outside Facet that links the
 * installed libfacet-check (Facet::check, pkg-config facet-check) and
 * validates a module with it: the checker finds its installed facet-probe.
 */
#include <stdio.h>

#include <facet/check.h>

int main(int argc, char **argv)
{
    FacetReport *report;
    FacetResult r;
    int clean;
    if (argc != 2) {
        fprintf(stderr, "usage: %s MODULE\n", argv[0]);
        return 2;
    }
    r = facet_validate(&report, argv[1], NULL);
    if (FACET_FAILED(r)) {
        fprintf(stderr, "%s: %s\n", facet_result_name(r), facet_last_error());
        return 1;
    }
    clean = facet_report_outcome(report) == FACET_OUTCOME_OK &&
            facet_report_violation_count(report) == 0;
    printf("%s: %s\n", argv[1], clean ? "validated" : facet_report_reason(report));
    facet_report_free(report);
    return clean ? 0 : 1;
}
