/* The smallest policy-lab matrix a run may report: configurations x scenarios. The one
   place for these numbers: lab/tests/lab_tests.c includes it and the test scripts read
   it (tests/lib/thresholds.sh). */
#ifndef FPULAB_LAB_COVERAGE_H
#define FPULAB_LAB_COVERAGE_H

#define LAB_MIN_CONFIGURATIONS 9
#define LAB_MIN_SCENARIOS 8

#endif
