# The two commands of the README.  Both work on a fresh Debian machine as root.
PYTHON ?= python3
APT_PACKAGES = chromium espeak-ng sox libsox-fmt-mp3 wrk fonts-noto-cjk nodejs postgresql nginx-light

.PHONY: run test

# Install the portal and run it on the embedded default (SQLite + the bundled demo city).
run:
	$(PYTHON) -m pip install -q .
	$(PYTHON) -m tvportal serve

# Install what the tests need (system packages with apt-get, Python packages with pip) and run them all.
test:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null
	$(PYTHON) -m pip install -q -e '.[test]'
	$(PYTHON) -m pytest
