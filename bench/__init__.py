"""Load-test harness: seed scratch databases, run gunicorn and wrk on loopback (`make bench`)."""
