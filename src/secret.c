/*
 * A posted form that holds a password (sign-in, sign-up, a password
 * changed or set from a link), and the state of its steps.  Passwords
 * are hashed and checked on task threads (scrypt is slow); the struct is
 * wiped before it is freed, so no password outlives its request.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "shop.h"

/*
 * A zeroed struct of size bytes that starts with a struct secret; its
 * form is empty.
 */
void *
secret_new(size_t size)
{
	struct secret	*sec;

	if (size < sizeof(*sec))
		fatal("secret_new: %zu bytes", size);
	sec = kore_calloc(1, size);
	sec->size = size;
	form_init(&sec->form);
	return (sec);
}

/* Frees a secret_new struct (an arg_free), wiping all of it first. */
void
secret_free(void *p)
{
	struct secret	*sec = p;

	form_free(&sec->form);
	OPENSSL_cleanse(sec, sec->size);
	kore_free(sec);
}

/*
 * Whether the new password was typed the same twice (field, and field
 * followed by 2) on a page's form; API clients send it once.
 */
int
secret_twice(struct http_request *req, const struct secret *sec,
    const char *field)
{
	const char	*again;
	char		 name[64];

	if (web_is_api(req))
		return (1);
	(void)snprintf(name, sizeof(name), "%s2", field);
	return ((again = form_get(&sec->form, name)) != NULL &&
	    !strcmp(again, form_get(&sec->form, field)));
}

/*
 * The account's stored password hash, from the result's {"hash"}, into
 * sec->hash: empty when there is none (no such account).
 */
void
secret_stored(struct secret *sec, PGresult *res)
{
	json_t	*r, *h;

	sec->hash[0] = '\0';
	if ((r = web_db_object(res, 0)) == NULL)
		return;
	if (json_is_string(h = json_object_get(r, "hash")))
		kore_strlcpy(sec->hash, json_string_value(h),
		    sizeof(sec->hash));
	json_decref(r);
}

/*
 * On a task thread: whether the form's field matches the stored hash.
 * Without one the dummy hash is checked all the same, so that an unknown
 * account takes as long to refuse as a wrong password.
 */
int
secret_matches(const struct secret *sec, const char *field)
{
	const char	*pw = form_get(&sec->form, field);

	return (password_verify(pw, strlen(pw), sec->hash[0] ? sec->hash :
	    password_dummy) == 1);
}

/*
 * A task entry (db_task; the call's arg is the secret): the form's field
 * password hashed into hash, ok whether that went well.
 */
int
secret_hash(struct kore_task *t)
{
	struct secret	*sec = db_task_call(t)->arg;
	const char	*pw = form_get(&sec->form, "password");

	sec->ok = password_hash(pw, strlen(pw), sec->hash, sizeof(sec->hash));
	return (KORE_RESULT_OK);
}
