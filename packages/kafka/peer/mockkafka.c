/*
 * mockkafka: librdkafka's built-in mock Kafka cluster as a standalone process, the Kafka
 * protocol peer for @tidings/kafka's integration tests (no real broker can run here).
 *
 * Usage: mockkafka [brokers=3] [topic:partitions ...]
 * Prints the bootstrap list (127.0.0.1:port,...) on one line of stdout, then serves until
 * SIGTERM/SIGINT or until its parent dies (PR_SET_PDEATHSIG), so a crashed test run never
 * leaves an orphan cluster behind.
 *
 * Fault injection, one command per line on stdin (ignored when stdin is not a pipe):
 *   fail <api-key> <error-code> <count>   the next <count> requests of that API, from any
 *                                         client, answer with that Kafka error code
 * Each command is answered with "ok" or "error <reason>" on stdout.
 */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static volatile sig_atomic_t stop = 0;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv) {
  char errstr[512];
  int brokers = argc > 1 ? atoi(argv[1]) : 3;
  if (brokers < 1) brokers = 1;

  prctl(PR_SET_PDEATHSIG, SIGTERM);
  /* The parent may have died before prctl ran: then we were re-parented already. */
  if (getppid() == 1) return 1;
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);

  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", errstr); return 1; }

  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) { fprintf(stderr, "rd_kafka_mock_cluster_new failed\n"); return 1; }

  for (int i = 2; i < argc; i++) {
    char *name = strdup(argv[i]);
    char *colon = strchr(name, ':');
    int partitions = 4;
    if (colon) { *colon = '\0'; partitions = atoi(colon + 1); }
    int replication = brokers < 3 ? brokers : 3;
    if (rd_kafka_mock_topic_create(mc, name, partitions, replication)) {
      fprintf(stderr, "cannot create topic %s\n", name);
      return 1;
    }
    free(name);
  }

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[256];
  size_t used = 0;
  int input = 0; /* stdin, until it ends */
  while (!stop) {
    struct pollfd pfd = {.fd = input, .events = POLLIN};
    int ready = input >= 0 ? poll(&pfd, 1, 100) : (usleep(100 * 1000), 0);
    if (ready <= 0) continue;
    ssize_t got = read(input, line + used, sizeof line - 1 - used);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      input = -1; /* EOF or not readable: serve on without commands */
      continue;
    }
    used += (size_t)got;
    line[used] = '\0';
    char *nl;
    while ((nl = strchr(line, '\n'))) {
      *nl = '\0';
      int api = -1, code = 0, count = 0;
      if (sscanf(line, "fail %d %d %d", &api, &code, &count) == 3 && api >= 0 && count > 0) {
        rd_kafka_resp_err_t *errs = calloc((size_t)count, sizeof *errs);
        for (int i = 0; i < count; i++) errs[i] = (rd_kafka_resp_err_t)code;
        rd_kafka_mock_push_request_errors_array(mc, (int16_t)api, (size_t)count, errs);
        free(errs);
        printf("ok\n");
      } else {
        printf("error unknown command: %s\n", line);
      }
      fflush(stdout);
      size_t rest = used - (size_t)(nl + 1 - line);
      memmove(line, nl + 1, rest + 1);
      used = rest;
    }
    if (used == sizeof line - 1) used = 0; /* an overlong line: drop it */
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
