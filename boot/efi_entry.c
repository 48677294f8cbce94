/* UEFI entry: boot services stay alive for the whole run. The firmware is called
   only between tests (screen) and at the end (results file), each time on its own
   page tables, GDT and IDT with its own interrupt flag (kernel/firmware_calls.c). */
#include <efi.h>
#include <efilib.h>

#include "boot/boot_info.h"
#include "lib/string.h"

#define KERNEL_POOL_PAGES 16384ull      /* 64 MiB for the kernel's page allocator */
#define SMALLEST_POOL_PAGES 4096ull
#define CONFIG_FILE_NAME L"\\fpulab.cfg"
#define RESULTS_FILE_NAME L"\\fpulab-results.txt"
#define KEY_WAIT_MICROSECONDS (10ull * 60 * 1000000)

static EFI_SYSTEM_TABLE *system_table;
static EFI_BOOT_SERVICES *boot_services;
static EFI_LOADED_IMAGE *loaded_image;
static SIMPLE_TEXT_OUTPUT_INTERFACE *screen_output;
static struct boot_info boot;
static char command_line[1024];

static EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
static EFI_GUID file_system_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
static EFI_GUID text_output_guid = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID;
static EFI_GUID device_path_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

/* ---- screen: the graphics console alone, so the serial port gets each line once ---- */

static int device_path_has_uart(EFI_DEVICE_PATH *node)
{
	while (node->Type != END_DEVICE_PATH_TYPE) {
		uint16_t length = (uint16_t)(node->Length[0] | node->Length[1] << 8);
		if (node->Type == MESSAGING_DEVICE_PATH && node->SubType == MSG_UART_DP)
			return 1;
		if (length < 4)
			return 1;   /* malformed: do not trust it */
		node = (EFI_DEVICE_PATH *)((uint8_t *)node + length);
	}
	return 0;
}

static SIMPLE_TEXT_OUTPUT_INTERFACE *find_graphics_console(void)
{
	EFI_HANDLE *handles = 0;
	UINTN count = 0;
	SIMPLE_TEXT_OUTPUT_INTERFACE *found = 0;

	if (boot_services->LocateHandleBuffer(ByProtocol, &text_output_guid, 0, &count, &handles) != EFI_SUCCESS)
		return 0;
	for (UINTN i = 0; i < count && !found; i++) {
		EFI_DEVICE_PATH *path;
		if (handles[i] == system_table->ConsoleOutHandle ||
		    boot_services->HandleProtocol(handles[i], &device_path_guid, (void **)&path) != EFI_SUCCESS ||
		    device_path_has_uart(path))
			continue;
		boot_services->HandleProtocol(handles[i], &text_output_guid, (void **)&found);
	}
	boot_services->FreePool(handles);
	return found;
}

static void screen_write(const char *text, size_t length)
{
	CHAR16 chunk[257];
	size_t used = 0;

	for (size_t i = 0; i < length; i++) {
		if (text[i] == '\n')
			chunk[used++] = L'\r';
		chunk[used++] = (CHAR16)(unsigned char)text[i];
		if (used >= 255 || i + 1 == length) {
			chunk[used] = 0;
			screen_output->OutputString(screen_output, chunk);
			used = 0;
		}
	}
}

/* ---- files on the boot volume ---- */

static EFI_FILE_HANDLE open_boot_volume(void)
{
	EFI_FILE_IO_INTERFACE *file_system;
	EFI_FILE_HANDLE root;

	if (boot_services->HandleProtocol(loaded_image->DeviceHandle, &file_system_guid,
					  (void **)&file_system) != EFI_SUCCESS)
		return 0;
	if (file_system->OpenVolume(file_system, &root) != EFI_SUCCESS)
		return 0;
	return root;
}

static void read_config_file(void)
{
	EFI_FILE_HANDLE root = open_boot_volume(), file;
	UINTN size = sizeof command_line - 1;

	if (!root)
		return;
	if (root->Open(root, &file, CONFIG_FILE_NAME, EFI_FILE_MODE_READ, 0) == EFI_SUCCESS) {
		if (file->Read(file, &size, command_line) == EFI_SUCCESS) {
			command_line[size] = 0;
			for (char *c = command_line; *c; c++)
				if (*c == '\n' || *c == '\r' || *c == '#') {
					*c = 0;
					break;
				}
		} else {
			command_line[0] = 0;
		}
		file->Close(file);
	}
	root->Close(root);
}

static int save_results(const char *log, size_t length)
{
	EFI_FILE_HANDLE root = open_boot_volume(), file;
	UINT64 mode = EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE;
	UINTN size = length;
	EFI_STATUS status;

	if (!root)
		return -1;
	if (root->Open(root, &file, RESULTS_FILE_NAME, mode, 0) == EFI_SUCCESS)
		file->Delete(file);   /* closes it too */
	status = root->Open(root, &file, RESULTS_FILE_NAME, mode | EFI_FILE_MODE_CREATE, 0);
	if (status == EFI_SUCCESS) {
		status = file->Write(file, &size, (void *)log);
		file->Flush(file);
		file->Close(file);
	}
	root->Close(root);
	return status == EFI_SUCCESS ? 0 : -1;
}

/* ---- arguments: load options when given (EFI shell, boot entry), else fpulab.cfg ---- */

static int load_options_to_text(void)
{
	const CHAR16 *options = loaded_image->LoadOptions;
	UINTN count = loaded_image->LoadOptionsSize / sizeof(CHAR16), used = 0, start = 0;

	if (!options || count == 0)
		return 0;
	for (UINTN i = 0; i < count && options[i]; i++)
		if (options[i] < 0x20 || options[i] > 0x7e)
			return 0;   /* binary optional data of a boot entry, not arguments */
	while (start < count && options[start] == ' ')
		start++;
	{   /* the EFI shell passes the program's own name first */
		UINTN end = start;
		while (end < count && options[end] && options[end] != ' ')
			end++;
		if (end - start > 4 && (options[end - 1] | 0x20) == 'i' && (options[end - 2] | 0x20) == 'f' &&
		    (options[end - 3] | 0x20) == 'e' && options[end - 4] == '.')
			start = end;
	}
	while (start < count && options[start] == ' ')
		start++;
	for (UINTN i = start; i < count && options[i] && used + 1 < sizeof command_line; i++)
		command_line[used++] = (char)options[i];
	command_line[used] = 0;
	return 1;
}

/* ---- the end of a run ---- */

static void finish(int status, int wait_for_key)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = screen_output ? screen_output : system_table->ConOut;
	EFI_INPUT_KEY key;

	if (!wait_for_key)
		return;
	out->OutputString(out, status == 0 ? L"\r\nfpulab: all tests ok." : L"\r\nfpulab: some tests failed.");
	out->OutputString(out, L" Results are in \\fpulab-results.txt on the boot volume.\r\n"
			       L"Press a key to return to the firmware.\r\n");
	for (uint64_t waited = 0; waited < KEY_WAIT_MICROSECONDS; waited += 100000) {
		if (system_table->ConIn->ReadKeyStroke(system_table->ConIn, &key) == EFI_SUCCESS)
			break;
		boot_services->Stall(100000);
	}
}

static const struct firmware_ops efi_firmware = {
	.screen_write = screen_write,
	.save_results = save_results,
	.finish = finish,
};

static void read_memory(void)
{
	EFI_PHYSICAL_ADDRESS pool = 0xffffffff;   /* below 4 GiB */
	uint64_t pages = KERNEL_POOL_PAGES;

	while (pages >= SMALLEST_POOL_PAGES &&
	       boot_services->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &pool) != EFI_SUCCESS) {
		pool = 0xffffffff;
		pages /= 2;
	}
	if (pages >= SMALLEST_POOL_PAGES) {
		boot.free_memory[0].start = pool;
		boot.free_memory[0].end = pool + pages * 4096;
		boot.free_memory_count = 1;
	}
}

/* Start-up code for the second CPU must sit below 1 MiB (its start vector is a page
   number under 0x100). */
static void reserve_low_page(void)
{
	EFI_PHYSICAL_ADDRESS page = 0x9f000;

	if (boot_services->AllocatePages(AllocateMaxAddress, EfiLoaderData, 1, &page) == EFI_SUCCESS &&
	    page >= 0x1000)
		boot.low_page = page;
}

static void read_acpi_pointer(void)
{
	for (UINTN i = 0; i < system_table->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *table = &system_table->ConfigurationTable[i];
		if (!memcmp(&table->VendorGuid, &acpi20_guid, sizeof acpi20_guid) ||
		    (!boot.acpi_rsdp && !memcmp(&table->VendorGuid, &acpi10_guid, sizeof acpi10_guid)))
			boot.acpi_rsdp = (uint64_t)(uintptr_t)table->VendorTable;
	}
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *table)
{
	uint16_t code_selector, data_selector;

	system_table = table;
	boot_services = table->BootServices;
	boot_services->SetWatchdogTimer(0, 0, 0, 0);
	if (boot_services->HandleProtocol(image, &loaded_image_guid, (void **)&loaded_image) != EFI_SUCCESS)
		return EFI_LOAD_ERROR;
	if (!load_options_to_text())
		read_config_file();
	screen_output = find_graphics_console();

	__asm__ volatile("mov %%cs, %0" : "=r"(code_selector));
	__asm__ volatile("mov %%ds, %0" : "=r"(data_selector));
	boot.kind = BOOT_EFI;
	boot.command_line = command_line;
	boot.firmware_code_selector = code_selector;
	boot.firmware_data_selector = data_selector;
	boot.firmware = &efi_firmware;
	read_memory();
	reserve_low_page();
	read_acpi_pointer();
	kmain(&boot);
	return EFI_SUCCESS;
}
