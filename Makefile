# The two front-door commands: `make run` and `make test`. Both build the virtualenv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench lint layers typecheck browser fonts writer clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The links in e-mails (and in those the demo prints) point at the server this starts, PORT included.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP) fonts
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py serve 127.0.0.1:$(PORT)

# Browser tests need Debian's chromium, the Excel round trip LibreOffice Calc; install them when we may (root with apt), otherwise the
# browser tests fail with a message saying what to install. They are never skipped silently. Calc is
# looked for by its own library: LibreOffice Writer (make writer) also brings `soffice`.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null); } || \
	  echo "提示：未找到 chromium，浏览器测试将失败。请安装 Debian 的 chromium 软件包。"
	@[ -e /usr/lib/libreoffice/program/libsclo.so ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui >/dev/null); } || \
	  echo "提示：未找到 LibreOffice，Excel 往返测试将失败。请安装 Debian 的 libreoffice-calc-nogui 软件包。"

# Printed documents embed Debian's TrueType CJK fonts (exchange/pdf_fonts.py): install them when we
# may, otherwise say what is missing (printing then fails with the same message).
fonts:
	@{ [ -f /usr/share/fonts/truetype/arphic/uming.ttc ] && [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ]; } || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-arphic-uming fonts-wqy-zenhei \
	  fonts-dejavu-core >/dev/null); } || \
	  echo "提示：未找到打印所需的中文字体。请安装 Debian 软件包 fonts-arphic-uming fonts-wqy-zenhei fonts-dejavu-core。"

# The Word tests open the generated documents in a real client, LibreOffice Writer.
writer:
	@[ -e /usr/lib/libreoffice/program/libswlo.so ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null); } || \
	  echo "提示：未找到 LibreOffice Writer，Word 文档测试将失败。请安装 Debian 的 libreoffice-writer-nogui 软件包。"

test: $(STAMP) browser fonts writer
	$(BIN)/python -m pytest

# One benchmark at a time (-n 0): each measures its figures side by side and must not share the cores.
bench: $(STAMP)
	$(BIN)/python -m pytest bench -n 0 -p no:cacheprovider -o python_files='bench_*.py' -s

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The import contract in .importlinter: apps import downwards only (docs/ENGINEERING.md).
layers: $(STAMP)
	$(BIN)/lint-imports --no-cache

# mypy with django-stubs (config in pyproject.toml; strict for lib, permissions, definitions.schema and the
# status and validation modules). A step of .ci/run.
typecheck: $(STAMP)
	$(BIN)/mypy .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
