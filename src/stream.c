/*
 * Answers sent in pieces, for downloads too large to build in memory (the
 * public log as CSV): the headers first, then each piece as one chunk of
 * HTTP/1.1's chunked coding (for HTTP/1.0: raw, and the connection closes
 * at the end).  A piece is handed to Kore without a copy and the request
 * pauses (db_pause) until Kore has written it to the socket (the netbuf's
 * callback calls db_resume): a slow reader holds one piece in memory, and
 * the next piece is fetched only when the last is on its way.
 *
 *	call = ...;			(a step's done callback)
 *	if (!stream_begin(req, call, &s, "text/csv; charset=utf-8", disp,
 *	    "no-cache"))
 *		return (...);		HEAD: the headers were all
 *	stream_write(req, &s, &piece);
 *	db_pause(call, next);		next fetches the next piece, or
 *					calls stream_end and is done
 *
 * While it streams the connection is marked busy, so Kore reads no other
 * request from it; a step that fails after the headers went cuts the
 * connection (call->abort), which the reader sees as a broken download,
 * never as a complete one.
 */
#include <string.h>

#include "shop.h"

/* One piece on its way: its bytes, and whom to wake once sent. */
struct piece {
	struct buf		 data;
	struct http_request	*req;
};

static int	piece_sent(struct netbuf *);
static void	stream_abort(struct http_request *, struct db_call *);

/*
 * Sends the headers of a 200 whose body follows in pieces, with cache as
 * its Cache-Control (a private list: no-store).  Returns 0 for a HEAD
 * request (the answer is complete), 1 when pieces may follow.
 */
int
stream_begin(struct http_request *req, struct db_call *call,
    struct stream *s, const char *ctype, const char *disposition,
    const char *cache)
{
	struct connection	*c = req->owner;

	memset(s, 0, sizeof(*s));
	s->chunked = !(req->flags & HTTP_VERSION_1_0);
	s->head = req->method == HTTP_METHOD_HEAD;
	web_headers(req, ctype);
	if (disposition != NULL)
		http_response_header(req, "content-disposition", disposition);
	http_response_header(req, "cache-control", cache);
	if (s->chunked)
		http_response_header(req, "transfer-encoding", "chunked");
	req->flags |= HTTP_REQUEST_NO_CONTENT_LENGTH;
	c->flags |= CONN_IS_BUSY;
	obs_answer(req, 200, -1, &call->obs);
	http_response(req, 200, NULL, 0);
	/*
	 * Kore closes a connection marked to close as soon as its queue is
	 * empty, which between two pieces it may be: the mark waits for
	 * the end.  Without chunks, the end of the body is the close.
	 */
	s->close = (c->flags & CONN_CLOSE_EMPTY) || !s->chunked;
	c->flags &= ~CONN_CLOSE_EMPTY;
	call->abort = stream_abort;
	if (s->head) {
		stream_end(req, call, s);
		return (0);
	}
	return (1);
}

/*
 * Queues data (emptied: the piece takes its bytes) as the next piece;
 * the caller's next step must be a db_pause, which ends when it is sent.
 */
void
stream_write(struct http_request *req, struct stream *s, struct buf *data)
{
	struct connection	*c = req->owner;
	struct netbuf		*nb;
	struct piece		*p;

	/* An empty chunk would end the body: nothing to send. */
	if (data->len == 0) {
		db_resume(req);
		return;
	}
	p = kore_calloc(1, sizeof(*p));
	p->req = req;
	if (s->chunked) {
		buf_init(&p->data, data->len + 16);
		buf_printf(&p->data, "%zx\r\n", data->len);
		buf_append(&p->data, data->data, data->len);
		buf_puts(&p->data, "\r\n");
		buf_reset(data);
	} else {
		p->data = *data;
		buf_init(data, 64);
	}
	req->content_length += p->data.len;
	net_send_stream(c, p->data.data, p->data.len, piece_sent, &nb);
	nb->extra = p;
	if (net_send_flush(c) == KORE_RESULT_ERROR)
		kore_connection_disconnect(c);
}

/*
 * Kore wrote the piece (or drops it with its connection, whose request
 * is then on its way out and needs no waking).
 */
static int
piece_sent(struct netbuf *nb)
{
	struct piece	*p = nb->extra;

	if (p->req->owner != NULL)
		db_resume(p->req);
	buf_free(&p->data);
	kore_free(p);
	return (KORE_RESULT_OK);
}

/* The last piece went: ends the body, and the connection may go on. */
void
stream_end(struct http_request *req, struct db_call *call, struct stream *s)
{
	struct connection	*c = req->owner;

	call->abort = NULL;
	if (c == NULL)
		return;
	if (s->chunked && !s->head)
		net_send_queue(c, "0\r\n\r\n", 5);
	c->flags &= ~CONN_IS_BUSY;
	if (s->close) {
		c->flags |= CONN_CLOSE_EMPTY;
	} else {
		http_start_recv(c);
		/* Idle from the end of the body on (src/edge.c). */
		edge_answered(c);
	}
}

/* A step failed after the headers went: the body stays incomplete. */
static void
stream_abort(struct http_request *req, struct db_call *call)
{
	struct connection	*c = req->owner;

	call->abort = NULL;
	if (c == NULL)
		return;
	c->flags &= ~CONN_IS_BUSY;
	c->flags |= CONN_CLOSE_EMPTY;
}
