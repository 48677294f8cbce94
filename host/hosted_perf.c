/* The hosted build's core-cycle clock (docs/method.md, Clocks): a perf event counting
   this thread's user-mode core cycles (PERF_COUNT_HW_CPU_CYCLES). Its first mmap page
   tells whether the kernel lets ring 3 read the counter with RDPMC (cap_user_rdpmc,
   /sys/bus/event_source/devices/cpu/rdpmc) and which counter it is (index - 1), so a
   window reads it exactly as the kernel build reads its own counter. */
#include "support/harness.h"
#include "lib/format.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <string.h>              /* strerror; lib/string.h's memset after it */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/string.h"

static char reason_text[160];

static const char *failed(const char *what, int error)
{
	format_string(reason_text, sizeof reason_text, "%s: %s", what, strerror(error));
	return reason_text;
}

int harness_user_cycle_counter(uint32_t *index, const char **reason)
{
	struct perf_event_attr attributes;
	struct perf_event_mmap_page *page;
	long fd;

	memset(&attributes, 0, sizeof attributes);
	attributes.type = PERF_TYPE_HARDWARE;
	attributes.size = sizeof attributes;
	attributes.config = PERF_COUNT_HW_CPU_CYCLES;
	attributes.exclude_kernel = 1;
	attributes.exclude_hv = 1;
	attributes.pinned = 1;
	fd = syscall(SYS_perf_event_open, &attributes, 0, -1, -1, 0);
	if (fd < 0) {
		*reason = failed(errno == ENOENT ? "perf_event_open(PERF_COUNT_HW_CPU_CYCLES): the kernel has no "
				 "hardware cycle counter here" : "perf_event_open(PERF_COUNT_HW_CPU_CYCLES)", errno);
		return 0;
	}
	page = mmap(0, (size_t)sysconf(_SC_PAGESIZE), PROT_READ, MAP_SHARED, (int)fd, 0);
	if (page == MAP_FAILED) {
		*reason = failed("mmap of the perf event's page", errno);
		close((int)fd);
		return 0;
	}
	/* fd and page stay open for the run: the counter is ours while they are */
	if (!page->cap_user_rdpmc || page->index == 0) {
		*reason = "the kernel does not let this process read the cycle counter with RDPMC "
			  "(cap_user_rdpmc clear: /sys/bus/event_source/devices/cpu/rdpmc)";
		return 0;
	}
	*index = page->index - 1;
	return 1;
}
