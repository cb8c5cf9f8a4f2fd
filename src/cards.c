/*
 * The cards of the shelf's page, rendered once per need, language and
 * text.  A page of the shelf is twenty cards (assets/card.html), each
 * rendered from its need's public JSON -- which the database keeps ready
 * (need_public, sql/020_need_public.sql) and sends as it is.  Parsing
 * those texts and rendering the cards was most of what a page cost the
 * worker over its API answer.  Each worker keeps the last card it
 * rendered for each need and language, with the exact text it came from:
 * a card is rendered again only when that text changed (a pledge, an
 * edit), so what a page shows is always what its text says.
 *
 * A card depends on nothing but its need's JSON and the language's
 * catalogue (card.html and progress.html name only members of the need).
 *
 * Slots are few and fixed: memory stays bounded whatever the size of
 * the shelf.  A need's card may be in any of the CARD_WAYS slots of the
 * set its id and language hash to; a newcomer takes the one used least
 * recently.  With one slot a need (direct-mapped), two needs of the
 * pages being read often shared one and kept replacing each other: at
 * 100,000 needs, rendering cards again was 7% of a worker's time on the
 * bench's mix of shelf pages.  The texts come from our database, not
 * from a client; they are still read by length only.
 */
#include <stdlib.h>
#include <string.h>

#include "shop.h"

#define CARD_SLOTS	8192
#define CARD_WAYS	4
#define CARD_SETS	(CARD_SLOTS / CARD_WAYS)

struct card {
	uint64_t	 id;		/* the need's (json NULL: a free slot) */
	enum lang	 lang;
	uint64_t	 used;		/* when last used (cards_used) */
	char		*json;		/* the need's JSON it was made from */
	size_t		 jlen;
	char		*html;
	size_t		 hlen;
};

static struct card	cards[CARD_SLOTS];
static uint64_t		cards_used;

static struct card	*card_slot(const char *, size_t, enum lang,
			    uint64_t *);
static int		 card_make(struct card *, uint64_t, const char *,
			    size_t, enum lang);

/*
 * The slot of a need's card, by its id (the value of the text's first
 * member, "id") and the language: the one that holds it, or the one of
 * its set to make it in; the id in *idp.
 */
static struct card *
card_slot(const char *json, size_t len, enum lang lang, uint64_t *idp)
{
	struct card	*set, *c, *old;
	uint64_t	 id = 0, h;
	size_t		 i;

	/* {"id":123,... */
	for (i = 6; i < len && json[i] >= '0' && json[i] <= '9'; i++)
		id = id * 10 + (uint64_t)(json[i] - '0');
	*idp = id;
	h = id * 2 + (lang == LANG_EN);
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	set = &cards[(h % CARD_SETS) * CARD_WAYS];
	old = set;
	for (c = set; c < set + CARD_WAYS; c++) {
		if (c->json != NULL && c->id == id && c->lang == lang)
			return (c);
		if (c->used < old->used)
			old = c;
	}
	return (old);
}

/* Renders the card of json into c; 0 when the text is not a need. */
static int
card_make(struct card *c, uint64_t id, const char *json, size_t len,
    enum lang lang)
{
	struct buf	 out;
	json_t		*need;

	if ((need = json_loadb(json, len, 0, NULL)) == NULL ||
	    !json_is_object(need)) {
		json_decref(need);
		return (0);
	}
	buf_init(&out, 2048);
	if (!tmpl_render(web_templates(), "card", need, web_messages(lang),
	    &out))
		fatal("cannot render template card");
	json_decref(need);
	free(c->json);
	free(c->html);
	if ((c->json = malloc(len)) == NULL ||
	    (c->html = malloc(out.len)) == NULL)
		fatal("cards: out of memory");
	memcpy(c->json, json, len);
	c->jlen = len;
	memcpy(c->html, out.data, out.len);
	c->hlen = out.len;
	c->lang = lang;
	c->id = id;
	buf_free(&out);
	return (1);
}

/*
 * Appends to out the cards of items: the members of a JSON array of
 * needs, without its brackets ({...},{...}).  Returns how many, or -1
 * when items is not such a list.
 */
int
cards_render(struct buf *out, const char *items, size_t len, enum lang lang)
{
	struct card	*c;
	uint64_t	 id;
	size_t		 i, start = 0;
	int		 depth = 0, str = 0, esc = 0, n = 0;

	for (i = 0; i < len; i++) {
		if (str) {
			if (esc)
				esc = 0;
			else if (items[i] == '\\')
				esc = 1;
			else if (items[i] == '"')
				str = 0;
			continue;
		}
		switch (items[i]) {
		case '"':
			str = 1;
			break;
		case '{':
			if (depth++ == 0)
				start = i;
			break;
		case '}':
			if (depth == 0)
				return (-1);
			if (--depth > 0)
				break;
			c = card_slot(items + start, i + 1 - start, lang, &id);
			if ((c->json == NULL || c->id != id || c->lang != lang ||
			    c->jlen != i + 1 - start ||
			    memcmp(c->json, items + start, c->jlen)) &&
			    !card_make(c, id, items + start, i + 1 - start,
			    lang))
				return (-1);
			c->used = ++cards_used;
			buf_append(out, c->html, c->hlen);
			n++;
			break;
		}
	}
	return (depth == 0 && !str ? n : -1);
}
