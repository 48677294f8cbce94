#include "lib/format.h"
#include "lib/string.h"

#include <stdint.h>

struct output {
	char *buffer;
	size_t size;
	size_t length;
};

struct conversion {
	int left_align;
	int zero_pad;
	int width;
	int precision;
};

static void put_char(struct output *out, char character)
{
	if (out->length + 1 < out->size)
		out->buffer[out->length] = character;
	out->length++;
}

static void put_padded(struct output *out, const char *text, size_t length,
		       const struct conversion *spec)
{
	size_t padding = spec->width > (int)length ? (size_t)spec->width - length : 0;
	char pad = spec->zero_pad && !spec->left_align ? '0' : ' ';
	size_t i;

	if (pad == '0' && length && (text[0] == '-')) {
		put_char(out, '-');
		text++, length--;
	}
	if (!spec->left_align)
		for (i = 0; i < padding; i++)
			put_char(out, pad);
	for (i = 0; i < length; i++)
		put_char(out, text[i]);
	if (spec->left_align)
		for (i = 0; i < padding; i++)
			put_char(out, ' ');
}

static size_t unsigned_to_text(char *digits, uint64_t value, unsigned base, int upper)
{
	const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char reversed[24];
	size_t count = 0, i;

	do {
		reversed[count++] = alphabet[value % base];
		value /= base;
	} while (value);
	for (i = 0; i < count; i++)
		digits[i] = reversed[count - 1 - i];
	return count;
}

static void put_number(struct output *out, uint64_t magnitude, int negative, unsigned base,
		       int upper, const struct conversion *spec)
{
	char text[26];
	size_t length = 0;

	if (negative)
		text[length++] = '-';
	length += unsigned_to_text(text + length, magnitude, base, upper);
	put_padded(out, text, length, spec);
}

static const char *parse_conversion(const char *format, struct conversion *spec, va_list *arguments)
{
	spec->left_align = spec->zero_pad = 0;
	spec->width = 0;
	spec->precision = -1;
	for (;; format++) {
		if (*format == '-')
			spec->left_align = 1;
		else if (*format == '0')
			spec->zero_pad = 1;
		else
			break;
	}
	if (*format == '*') {
		spec->width = va_arg(*arguments, int);
		format++;
	}
	while (*format >= '0' && *format <= '9')
		spec->width = spec->width * 10 + (*format++ - '0');
	if (*format == '.') {
		format++;
		spec->precision = 0;
		if (*format == '*') {
			spec->precision = va_arg(*arguments, int);
			format++;
		}
		while (*format >= '0' && *format <= '9')
			spec->precision = spec->precision * 10 + (*format++ - '0');
	}
	return format;
}

int format_string_va(char *buffer, size_t size, const char *format, va_list arguments)
{
	struct output out = { buffer, size, 0 };
	struct conversion spec;
	va_list args;

	va_copy(args, arguments);
	for (; *format; format++) {
		int length_modifier = 0;
		if (*format != '%') {
			put_char(&out, *format);
			continue;
		}
		format = parse_conversion(format + 1, &spec, &args);
		while (*format == 'l' || *format == 'z') {
			length_modifier++;
			format++;
		}
		switch (*format) {
		case 'd':
		case 'i': {
			int64_t value = length_modifier ? va_arg(args, int64_t) : va_arg(args, int);
			uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
			put_number(&out, magnitude, value < 0, 10, 0, &spec);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t value = length_modifier ? va_arg(args, uint64_t) : va_arg(args, unsigned);
			put_number(&out, value, 0, *format == 'u' ? 10 : 16, *format == 'X', &spec);
			break;
		}
		case 'p': {
			uint64_t value = (uint64_t)(uintptr_t)va_arg(args, void *);
			put_char(&out, '0');
			put_char(&out, 'x');
			put_number(&out, value, 0, 16, 0, &spec);
			break;
		}
		case 's': {
			const char *text = va_arg(args, const char *);
			size_t length;
			if (!text)
				text = "(null)";
			length = strlen(text);
			if (spec.precision >= 0 && (size_t)spec.precision < length)
				length = (size_t)spec.precision;
			put_padded(&out, text, length, &spec);
			break;
		}
		case 'c': {
			char character = (char)va_arg(args, int);
			put_padded(&out, &character, 1, &spec);
			break;
		}
		case '%':
			put_char(&out, '%');
			break;
		case 0:
			format--;
			break;
		default:
			put_char(&out, '%');
			put_char(&out, *format);
		}
	}
	va_end(args);
	if (size)
		buffer[out.length < size ? out.length : size - 1] = 0;
	return (int)out.length;
}

int format_string(char *buffer, size_t size, const char *format, ...)
{
	va_list arguments;
	int length;

	va_start(arguments, format);
	length = format_string_va(buffer, size, format, arguments);
	va_end(arguments);
	return length;
}
