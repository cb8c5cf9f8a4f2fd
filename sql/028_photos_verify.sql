-- Issue 16: hand-over photos from a phone, and receipts anyone can check.
--
-- Photos are decoded and written again by the module (src/lib/photo.c):
-- a JPEG of at most 1600 px on its long side, and now a 400 px thumbnail
-- beside it for the pages.  Photos stored before have none (the page
-- then shows the photo itself).
alter table pledge_photos
	add column thumb bytea check (length(thumb) between 32 and 524288);

-- /verify/{code}: the public page of one gift, linked and QR-coded from
-- its certificate and its donor's statement.  The code is 128 random
-- bits (gen_random_uuid's 122 and its version bits, as hex), so that
-- nobody reaches a gift's page by counting: pledge ids and receipt codes
-- are short and must not be enough.  Every pledge, old and new, has one.
alter table pledges
	add column verify_code text not null unique
	    default encode(uuid_send(gen_random_uuid()), 'hex')
	    check (verify_code ~ '^[0-9a-f]{32}$');
