#!/bin/sh
# The checksum of the api schema sources, built into the module so that the
# server refuses to start against a database whose api is not the one it
# was built for.
cd "$(dirname "$0")" && cat api/*.sql | sha256sum | cut -c1-16
