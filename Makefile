# zfxxgk-archive — the two commands of the README, and a few more.
.PHONY: setup demo test bench lint

setup:
	bash scripts/setup.sh

demo: setup        ## 安装并运行内置样例 / set up, build the sample archive, serve it
	.venv/bin/zfxxgk demo

test: setup        ## 安装并运行全部测试 / set up and run the whole test suite
	.venv/bin/python -m pytest -q -p no:cacheprovider

bench: setup       ## 基准测试 / benchmarks (print figures)
	bash bench/run.sh

lint: setup
	.venv/bin/ruff check .
