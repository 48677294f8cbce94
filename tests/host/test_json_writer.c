#include "unit.h"
#include "lib/json_writer.h"

int main(void)
{
	char buffer[256], tiny[16];
	struct json_writer writer;

	unit_begin();
	json_begin(&writer, buffer, sizeof buffer);
	json_int(&writer, "schema", 1);
	json_string(&writer, "name", "a\"b\\c\n\x01");
	json_uint(&writer, "big", 18446744073709551615ull);
	json_int(&writer, "negative", -5);
	json_bool(&writer, "yes", 1);
	json_null(&writer, "nothing");
	json_hex(&writer, "mask", 0x2e7);
	json_array_begin(&writer, "list");
	json_object_begin(&writer, 0);
	json_uint(&writer, "index", 0);
	json_object_end(&writer);
	json_object_begin(&writer, 0);
	json_object_end(&writer);
	json_array_end(&writer);
	CHECK("json/fits", json_finish(&writer) == 0);
	CHECK_STRING("json/text", buffer,
		     "{\"schema\":1,\"name\":\"a\\\"b\\\\c\\u000a\\u0001\",\"big\":18446744073709551615,"
		     "\"negative\":-5,\"yes\":true,\"nothing\":null,\"mask\":\"0x2e7\","
		     "\"list\":[{\"index\":0},{}]}");

	json_begin(&writer, buffer, sizeof buffer);
	json_object_begin(&writer, "open");
	json_string(&writer, "k", "v");
	CHECK("json/finish-closes-levels", json_finish(&writer) == 0);
	CHECK_STRING("json/closed", buffer, "{\"open\":{\"k\":\"v\"}}");

	json_begin(&writer, tiny, sizeof tiny);
	json_string(&writer, "long", "this does not fit");
	CHECK("json/overflow-reported", json_finish(&writer) != 0);
	CHECK("json/overflow-terminated", strlen(tiny) < sizeof tiny);
	return unit_end();
}
