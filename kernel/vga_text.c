#include "vga_text.h"
#include "lib/string.h"

#define ATTRIBUTE_LIGHT_GREY 0x0700

static volatile uint16_t *screen;
static uint32_t screen_columns, screen_rows, cursor_column, cursor_row;

void vga_text_init(uint64_t address, uint32_t columns, uint32_t rows)
{
	screen = (volatile uint16_t *)(uintptr_t)address;
	screen_columns = columns;
	screen_rows = rows;
	cursor_column = cursor_row = 0;
	for (uint32_t i = 0; screen && i < columns * rows; i++)
		screen[i] = ATTRIBUTE_LIGHT_GREY | ' ';
}

static void scroll_one_line(void)
{
	uint32_t i;
	for (i = 0; i < (screen_rows - 1) * screen_columns; i++)
		screen[i] = screen[i + screen_columns];
	for (; i < screen_rows * screen_columns; i++)
		screen[i] = ATTRIBUTE_LIGHT_GREY | ' ';
	cursor_row = screen_rows - 1;
}

static void put_character(char character)
{
	if (character == '\n' || cursor_column == screen_columns) {
		cursor_column = 0;
		if (++cursor_row == screen_rows)
			scroll_one_line();
		if (character == '\n')
			return;
	}
	if (character == '\r')
		return;
	screen[cursor_row * screen_columns + cursor_column++] =
		ATTRIBUTE_LIGHT_GREY | (uint8_t)character;
}

void vga_text_write(const char *text, size_t length)
{
	if (!screen)
		return;
	for (size_t i = 0; i < length; i++)
		put_character(text[i]);
}
