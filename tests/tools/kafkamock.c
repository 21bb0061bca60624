/*
 * kafkamock: librdkafka's built-in mock cluster, for tests/bus-kafka.t
 * (no Kafka broker is packaged in Debian).  It starts a cluster of one
 * broker, makes the topics named on the command line (one partition
 * each), prints the bootstrap servers on stdout and stays up until it
 * is killed; nm-push and nm-pull reach it as a normal broker.
 *
 *	kafkamock TOPIC...
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static void
quiet(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk, (void)level, (void)fac, (void)buf; /* no bootstrap: meant */
}

int
main(int argc, char **argv)
{
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char err[256];
	int i;

	rd_kafka_conf_set_log_cb(conf, quiet);
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "kafkamock: %s\n", err);
		return 1;
	}
	if ((mc = rd_kafka_mock_cluster_new(rk, 1)) == NULL) {
		fprintf(stderr, "kafkamock: no mock cluster\n");
		return 1;
	}
	for (i = 1; i < argc; i++)
		if (rd_kafka_mock_topic_create(mc, argv[i], 1, 1) != 0) {
			fprintf(stderr, "kafkamock: topic %s\n", argv[i]);
			return 1;
		}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	for (;;)
		pause();
}
