/*
 * The edge of the server: what Kore 4.1 does with a connection before a
 * request reaches a handler, where it needs help.
 *
 * Requests Kore would refuse itself.  Kore answers some requests before
 * any handler runs, without the platform's format or its security
 * headers (a bare 413 for a body over http_body_max, 414 for a request
 * target of 1,999 bytes, 400 for an empty header value, which is legal),
 * and resets without a word a connection whose head outgrows its buffer
 * (http_header_max).  No hook reaches those answers; but a listener's
 * connect callback is given every new connection (conf/kore.conf:
 * bind ... edge_connect), and sets it up as Kore would, but for who reads
 * a request's head first: hdr_screen (src/lib/hdr.c) sees it before
 * Kore's parser does.  What Kore would refuse is answered here, in the
 * platform's format (JSON under /api/, the error page elsewhere, in the
 * reader's language) with its headers, then the connection is closed
 * once the client has read the answer; what Kore can take is handed to
 * it, mended where Kore would stumble (hdr_screen says how).  Kore sets
 * its own reader again after every answer; edge_handle, the connection's
 * event handler, puts ours back before each read.
 *
 * Pipelining.  Kore 4.1 takes the buffer a request's head arrived in and
 * drops whatever followed in it: of five requests written at once, one
 * was answered and four silently lost, the client waiting for ever.  The
 * screen cuts a request from what follows and marks it Connection: close,
 * so its client, as HTTP/1.1 requires of a pipelining client, sends the
 * rest again on a new connection.  In production nginx is in front and
 * never pipelines to its upstreams: a pipelining browser gets all its
 * answers from it (tests/cluster/10_front.test.mjs).
 *
 * Idle connections.  A worker checks its connections' timers (the
 * keep-alive time, the header timeout) only when its event loop wakes,
 * and a worker with no timer and no request in flight sleeps in
 * epoll_wait until a socket speaks.  An idle keep-alive connection was
 * then not closed at http_keepalive_time: when a request woke the worker
 * (often one sent on such a connection), the header timeout, checked
 * before the keep-alive time, answered 408 on every other connection
 * idle longer than it, just as their clients reused them.  A tick wakes
 * every worker once a second, so each idle connection is closed quietly
 * at http_keepalive_time, long before the header timeout.
 *
 * Busy connections.  Kore starts a connection's idle timer when it last
 * read from it (kore_connection_handle ends with
 * kore_connection_start_idletimer), lets it run while the request is
 * worked on, and checks it (kore_connection_check_timeout, twice a
 * second) as soon as the connection has no request left, i.e. in the
 * very turn of the event loop that answered and freed it (worker.c:
 * http_process, then the timeouts).  An answer that came more than
 * http_keepalive_time after its request (a sign-in whose scrypt waited
 * for the task threads, a photo for libvips, at load 20) was followed
 * within half a second by a close without a word, though it said
 * "keep-alive: timeout=15": the client, which had just read that
 * answer, sent its next request on the connection as it was closed
 * under it, and undici saw "other side closed" (the second of three
 * logins in a row, the POST after photo uploads).  Kore 4.1 has no hook
 * after an answer: the module's answers all go through web_send or
 * stream_end; Kore's own (a refused head) close the connection.
 * A connection is idle from its answer on: edge_answered restarts the
 * timer when one is given (web_send, stream_end).
 */
#include <sys/socket.h>

#include <string.h>

#include "shop.h"

#define EDGE_TICK_MS	1000
/* Kore's HTTP_URI_LEN: it refuses a target of this length less one. */
#define EDGE_URI_LEN	2000
/* Read and dropped after a refusal before the connection is cut: a
   refused body of http_body_max is read to its end, so that its client
   reads the answer instead of a reset. */
#define EDGE_DISCARD	(8 * 1024 * 1024)

/* A connection answered here: what was read since (c->hdlr_extra). */
struct edge_conn {
	size_t	discarded;
};

void		 edge_connect(struct connection *);

static void	 edge_tick(void *, u_int64_t);
static int	 edge_handle(struct connection *);
static int	 edge_head_recv(struct netbuf *);
static int	 edge_discard(struct netbuf *);
static void	 edge_refuse(struct connection *, struct hdr_head *);
static void	 put_header_line(void *, const char *, const char *);
static const char *status_text(int);

/* In each worker: the tick. */
void
edge_init(void)
{
	kore_timer_add(edge_tick, EDGE_TICK_MS, NULL, 0);
}

/* Nothing to do: waking is the point (the loop then checks timeouts). */
static void
edge_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
}

/*
 * The listener's connect callback: an HTTP connection as Kore sets one up
 * (connection.c, kore_connection_accept), its head read by the edge.
 */
void
edge_connect(struct connection *c)
{
	c->proto = CONN_PROTO_HTTP;
	if (http_keepalive_time != 0)
		c->idle_timer.length = http_keepalive_time * 1000;
	net_recv_queue(c, http_header_max, NETBUF_CALL_CB_ALWAYS,
	    edge_head_recv);
	c->handle = edge_handle;
}

/*
 * An answer was given on c (queued; Kore sends it when the handler
 * returns): the keep-alive time counts from now, not from when the
 * request was read (see "Busy connections" above).
 */
void
edge_answered(struct connection *c)
{
	if (c != NULL && c->proto == CONN_PROTO_HTTP)
		kore_connection_start_idletimer(c);
}

/* Each event on the connection: our reader of heads, then Kore's work. */
static int
edge_handle(struct connection *c)
{
	if (c->rnb != NULL && c->rnb->cb == http_header_recv)
		c->rnb->cb = edge_head_recv;
	return (kore_connection_handle(c));
}

/* Bytes of a head arrived (all of them so far are in nb). */
static int
edge_head_recv(struct netbuf *nb)
{
	static const struct hdr_limits	 lim = { EDGE_URI_LEN - 1, 0 };
	struct hdr_limits		 l = lim;
	struct hdr_head			 h;
	size_t				 len = nb->s_off;

	l.body_max = http_body_max;
	switch (hdr_screen((char *)nb->buf, &len, nb->m_len,
	    nb->s_off == nb->b_len, &l, &h)) {
	case HDR_MORE:
		return (KORE_RESULT_OK);
	case HDR_REFUSE:
		edge_refuse(nb->owner, &h);
		return (KORE_RESULT_OK);
	default:
		break;
	}
	if (http_request_count >= http_request_limit) {
		h.status = 503;
		h.code = "busy";
		edge_refuse(nb->owner, &h);
		return (KORE_RESULT_OK);
	}
	nb->s_off = len;
	return (http_header_recv(nb));
}

/*
 * Answers c's request here, in the platform's format, and closes: once
 * the answer is out, the connection says so (FIN) and reads and drops
 * what its client still sends until it closes too, so that the client
 * reads the answer instead of a reset.
 */
static void
edge_refuse(struct connection *c, struct hdr_head *h)
{
	struct buf	 body, out;
	const char	*ctype;
	char		 rid[OBS_ID_LEN];
	unsigned char	 rnd[16];

	if (!cfg.trust_proxy || h->rid[0] == '\0') {
		rnd_bytes(rnd, sizeof(rnd));
		hex_encode(rid, rnd, sizeof(rnd));
	} else {
		kore_strlcpy(rid, h->rid, sizeof(rid));
	}
	ctype = web_error_body(&body, h->lang, h->api, h->status, h->code,
	    h->path, rid);
	buf_init(&out, body.len + 1024);
	buf_printf(&out, "HTTP/1.1 %d %s\r\nconnection: close\r\n"
	    "content-type: %s\r\ncontent-length: %zu\r\n"
	    "cache-control: no-store\r\nx-request-id: %s\r\n", h->status,
	    status_text(h->status), ctype, body.len, rid);
	if (h->status == 503)
		buf_puts(&out, "retry-after: 1\r\n");
	if (h->status == 405)
		buf_puts(&out, "allow: GET, HEAD, POST\r\n");
	web_security_headers(h->path, put_header_line, &out);
	buf_puts(&out, "\r\n");
	buf_append(&out, body.data, body.len);
	obs_edge(h->status);

	net_send_queue(c, out.data, out.len);
	buf_free(&out);
	buf_free(&body);
	c->http_timeout = 0;
	c->rnb->cb = edge_discard;
	c->rnb->s_off = 0;
	if (c->hdlr_extra == NULL)
		c->hdlr_extra = kore_calloc(1, sizeof(struct edge_conn));
	if (!net_send_flush(c)) {
		kore_connection_disconnect(c);
		return;
	}
	if (TAILQ_EMPTY(&c->send_queue))
		(void)shutdown(c->fd, SHUT_WR);
	else
		c->flags |= CONN_CLOSE_EMPTY;
}

/* After a refusal: what the client still sends, dropped, within bounds. */
static int
edge_discard(struct netbuf *nb)
{
	struct edge_conn	*e = nb->owner->hdlr_extra;

	e->discarded += nb->s_off;
	nb->s_off = 0;
	if (e->discarded > EDGE_DISCARD)
		return (KORE_RESULT_ERROR);
	return (KORE_RESULT_OK);
}

static void
put_header_line(void *out, const char *name, const char *value)
{
	buf_printf(out, "%s: %s\r\n", name, value);
}

/* The reason phrases of the statuses answered here. */
static const char *
status_text(int status)
{
	switch (status) {
	case 400:
		return ("Bad Request");
	case 405:
		return ("Method Not Allowed");
	case 411:
		return ("Length Required");
	case 413:
		return ("Content Too Large");
	case 414:
		return ("URI Too Long");
	case 431:
		return ("Request Header Fields Too Large");
	case 503:
		return ("Service Unavailable");
	case 505:
		return ("HTTP Version Not Supported");
	default:
		return ("Error");
	}
}
