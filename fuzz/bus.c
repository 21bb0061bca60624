/*
 * Fuzz target: the reader of bus messages nm-pull runs on bytes from a
 * bus (bus/frame.c over share's rec_parse): any bytes, as one message.
 * What must hold: it fails with a reason or reads a header whose sensor
 * name is one nm-push could write; it never hands out more records than
 * the header's count; every record it hands out survives json_write (the
 * path nm-render -o json takes); and it ends with 0 only when it read
 * exactly count records and every byte.
 */
#include <errno.h>
#include <string.h>

#include "bus.h"
#include "fuzz.h"
#include "strbuf.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rec_reader *r;
	static struct strbuf json;
	struct bus_batch b;
	struct rec rec;
	char why[320];
	uint64_t n = 0;
	int rc;

	if (r == NULL && (r = rec_reader_open(-1)) == NULL)
		fz_fail("rec_reader_open");
	why[0] = '\0';
	if (bus_batch_open(r, data, size, &b, why, sizeof(why)) == -1) {
		if (why[0] == '\0')
			fz_fail("a message refused without a reason");
		return 0;
	}
	if (!bus_name_ok(b.sensor, strlen(b.sensor)))
		fz_fail("a sensor name nm-push could not write: %s", b.sensor);
	while ((rc = bus_batch_next(r, &b, &rec, why, sizeof(why))) == 1) {
		if (++n > b.count)
			fz_fail("%llu records of a message of %llu",
			    (unsigned long long)n, (unsigned long long)b.count);
		json.len = 0;
		if (json_write(&json, &rec.obj) == -1 && errno != EMSGSIZE)
			fz_fail("json_write failed with errno %d", errno);
	}
	if (rc == 0 && (n != b.count || b.left != 0))
		fz_fail("a message ended after %llu of %llu records, %zu bytes "
			"left",
		    (unsigned long long)n, (unsigned long long)b.count, b.left);
	return 0;
}
