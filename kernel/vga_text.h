#ifndef FPULAB_VGA_TEXT_H
#define FPULAB_VGA_TEXT_H

#include <stddef.h>
#include <stdint.h>

/* The legacy text screen GRUB leaves behind after a BIOS boot. */
void vga_text_init(uint64_t address, uint32_t columns, uint32_t rows);
void vga_text_write(const char *text, size_t length);

#endif
