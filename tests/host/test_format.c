#include "unit.h"
#include "lib/format.h"

#include <stdint.h>

static const char *formatted(const char *format_spec, ...)
{
	static char buffer[128];
	va_list arguments;
	va_start(arguments, format_spec);
	format_string_va(buffer, sizeof buffer, format_spec, arguments);
	va_end(arguments);
	return buffer;
}

int main(void)
{
	char small[6];
	int length;

	unit_begin();
	CHECK_STRING("format/decimal", formatted("%d %i %u", -42, 7, 4000000000u), "-42 7 4000000000");
	CHECK_STRING("format/64-bit", formatted("%lld %llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX),
		     "-9223372036854775808 18446744073709551615");
	CHECK_STRING("format/hex", formatted("%x %X %llx", 0xbeefu, 0xbeefu, 0x123456789abcdefull),
		     "beef BEEF 123456789abcdef");
	CHECK_STRING("format/zero-pad", formatted("%016llx|%05d|%05d", 0xabcull, 42, -42),
		     "0000000000000abc|00042|-0042");
	CHECK_STRING("format/width", formatted("[%5s][%-5s][%3d]", "ab", "ab", 7), "[   ab][ab   ][  7]");
	CHECK_STRING("format/precision", formatted("%.3s|%.*s", "abcdef", 2, "xyz"), "abc|xy");
	CHECK_STRING("format/char-percent", formatted("%c%%%c", 'a', 'b'), "a%b");
	CHECK_STRING("format/null-string", formatted("%s", (char *)0), "(null)");
	CHECK_STRING("format/pointer", formatted("%p", (void *)0x1000), "0x1000");
	CHECK_STRING("format/size_t", formatted("%zu", (size_t)12345), "12345");
	length = format_string(small, sizeof small, "%s", "truncated");
	CHECK("format/truncation-returns-full-length", length == 9);
	CHECK_STRING("format/truncation-terminates", small, "trunc");
	CHECK("format/zero-size-buffer", format_string(small, 0, "abc") == 3);
	return unit_end();
}
