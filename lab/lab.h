/* The policy lab (docs/lab.md): FPU-switching policies as state machines driven by
   scenario traces, run against an FPU backend (here: the exact simulated one), checked
   for corruption and exposure and compared with the oracle. Portable: integer
   arithmetic only, no libc, compiled into the kernel, the hosted build, the host unit
   tests and tools/fpulab-trace. One header per part:
   lab_scenario.h  scenarios, their memory, the parser
   lab_fpu.h       the FPU backends, the simulated FPU
   lab_cost.h      counts and cost weights
   lab_model.h     what each event does (engine and oracle alike)
   lab_machine.h   the machine, policies, configurations, mutants
   lab_run.h       running, the checks, the oracle
   lab_report.h    records and the table */
#ifndef FPULAB_LAB_H
#define FPULAB_LAB_H

#include "lab/lab_scenario.h"
#include "lab/lab_fpu.h"
#include "lab/lab_cost.h"
#include "lab/lab_model.h"
#include "lab/lab_machine.h"
#include "lab/lab_run.h"
#include "lab/lab_report.h"

#endif
