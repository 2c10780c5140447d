#!/usr/bin/env python3
"""Checks scripts/packages.txt against what the scripts really call (scripts/test.sh runs it in CI).

1. Coverage: every command the shell scripts in scripts/ call — at the top level, inside `as_bench "…"`,
   `bash -c "…"`, `$(…)`, `<(…)`, traps and unquoted here-documents — is a shell builtin or keyword, a
   function of the scripts, a program of the bench itself (./env/bin/…), a command listed in packages.txt,
   or a file of a Debian package that packages.txt lists or that Debian's base system always has
   (Priority: required). Anything else is a package a bare machine would miss: the check names the
   command, where it is called and which package provides it here.
2. Presence: every line of the groups asked for (default: base) is present, as scripts/lib.sh
   ensure_packages judges it (run after ensure_packages, so a line it cannot satisfy fails here).
3. The check can fail: the list without a package the scripts need must be refused, naming it.

Usage: python3 scripts/check_packages.py [--groups base,prod] [--no-presence]
Standard library only: it runs before the bench exists.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
PACKAGES_FILE = os.path.join(SCRIPTS_DIR, "packages.txt")

KEYWORDS = {
	"if", "then", "elif", "else", "fi", "for", "while", "until", "do", "done", "case", "esac", "in",
	"function", "select", "time", "!", "{", "}", "[[", "]]",
}  # fmt: skip
# Commands that run the rest of their arguments as a command (after their own options).
PREFIXES = {"nohup", "exec", "xargs", "quiet", "as_root", "sudo", "nice", "stdbuf"}
# Commands whose string argument is shell code.
CODE_RUNNERS = {"as_bench"}
SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")
# Reached only when the scripts are not run as root (as_root in lib.sh); README: "as root or with sudo".
NOT_ON_A_ROOT_RUN = {"sudo"}
# Packages left out in turn to show the check fails (the scripts call curl, pgrep and pkill).
SELF_CHECK = ("curl", "procps")


# ---------------------------------------------------------------------------------------------------------
# A small shell reader: enough of bash's grammar to find every simple command and its line.


class Reader:
	def __init__(self, text: str, line: int = 1):
		self.text, self.i, self.line = text, 0, line
		self.commands: list[tuple[int, list[str], str]] = []  # (line, words, terminator)
		self.heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, strip tabs, expand)

	def peek(self, n: int = 0) -> str:
		j = self.i + n
		return self.text[j] if j < len(self.text) else ""

	def run(self) -> list[tuple[int, list[str], str]]:
		words: list[str] = []
		word: list[str] | None = None
		start = self.line
		skip_next = False  # the next word is a redirection target

		def end_word():
			nonlocal word, skip_next
			if word is not None:
				if skip_next:
					skip_next = False
				else:
					words.append("".join(word))
			word = None

		def end_command(term: str):
			nonlocal words, start
			end_word()
			if words:
				self.commands.append((start, words, term))
			words = []
			start = self.line

		while self.i < len(self.text):
			c = self.peek()
			if c == "\\" and self.peek(1) == "\n":
				self.i += 2
				self.line += 1
				continue
			if word is None and not words:
				start = self.line
			if c == "\n":
				end_command("\n")
				self.i += 1
				self.line += 1
				self.read_heredocs()
				continue
			if c in " \t":
				end_word()
				self.i += 1
				continue
			if c == "#" and word is None:
				while self.i < len(self.text) and self.peek() != "\n":
					self.i += 1
				continue
			if c == "'":
				j = self.text.index("'", self.i + 1)
				word = (word or []) + [self.text[self.i : j + 1]]
				self.line += self.text.count("\n", self.i, j)
				self.i = j + 1
				continue
			if c == '"':
				word = (word or []) + [self.read_double()]
				continue
			if c == "\\":
				word = (word or []) + [self.text[self.i : self.i + 2]]
				self.i += 2
				continue
			if c == "$" and self.peek(1) == "(":
				word = (word or []) + [self.read_substitution()]
				continue
			if c == "$" and self.peek(1) == "{":
				word = (word or []) + [self.read_braced()]
				continue
			if c == "`":
				j = self.text.index("`", self.i + 1)
				self.nested(self.text[self.i + 1 : j])
				word = (word or []) + ["`…`"]
				self.i = j + 1
				continue
			if c == "(" and word is not None and "".join(word).endswith("="):
				j = self.matching(self.i, "(", ")")  # an array: missing+=(a b)
				word.append(self.text[self.i : j + 1])
				self.i = j + 1
				continue
			if c in "<>":
				if word is not None and "".join(word).isdigit():
					word = None  # a file descriptor: 2>&1
				if c == "<" and self.peek(1) == "(":  # process substitution <(…)
					end_word()
					j = self.matching(self.i + 1, "(", ")")
					self.nested(self.text[self.i + 2 : j])
					self.i = j + 1
					words.append("<(…)")
					continue
				end_word()
				op = ""
				while self.peek() and self.peek() in "<>&|-" and len(op) < 3:
					op += self.peek()
					self.i += 1
				if op in ("<<", "<<-"):
					self.queue_heredoc(strip=op == "<<-")
				elif op.endswith("&") and (self.peek().isdigit() or self.peek() == "-"):
					self.i += 1
				else:
					skip_next = True
				continue
			if c in ";&|()":
				op = c
				if self.peek(1) == c and c in ";&|":
					op += c
				self.i += len(op)
				end_command(op)
				continue
			word = (word or []) + [c]
			self.i += 1
		end_command("")
		return self.commands

	def matching(self, i: int, open_: str, close: str) -> int:
		"""Index of the bracket closing the one at i, quotes respected."""
		depth, j = 0, i
		while j < len(self.text):
			ch = self.text[j]
			if ch == "\\":
				j += 2
				continue
			if ch == "'" and open_ != "{":
				j = self.text.index("'", j + 1) + 1
				continue
			if ch == '"':
				j = self.skip_double(j)
				continue
			if ch == open_:
				depth += 1
			elif ch == close:
				depth -= 1
				if depth == 0:
					return j
			j += 1
		raise ValueError(f"unbalanced {open_} at line {self.line}")

	def skip_double(self, j: int) -> int:
		j += 1
		while self.text[j] != '"':
			if self.text[j] == "\\":
				j += 2
				continue
			if self.text[j] == "$" and self.text[j + 1] == "(":
				j = self.matching(j + 1, "(", ")") + 1
				continue
			j += 1
		return j + 1

	def read_double(self) -> str:
		"""A double-quoted string; the command substitutions in it are read as commands."""
		j = self.i + 1
		out = ['"']
		while self.text[j] != '"':
			ch = self.text[j]
			if ch == "\\":
				out.append(self.text[j : j + 2])
				j += 2
				continue
			if ch == "$" and self.text[j + 1] == "(":
				self.i = j
				out.append(self.read_substitution())
				j = self.i
				continue
			if ch == "`":
				k = self.text.index("`", j + 1)
				self.nested(self.text[j + 1 : k])
				j = k + 1
				continue
			out.append(ch)
			j += 1
		self.line += "".join(out).count("\n")
		self.i = j + 1
		out.append('"')
		return "".join(out)

	def read_substitution(self) -> str:
		if self.peek(2) == "(":  # $(( arithmetic ))
			j = self.matching(self.i + 1, "(", ")")
			self.i = j + 1
			return "$((…))"
		start, j = self.i, self.matching(self.i + 1, "(", ")")
		self.nested(self.text[self.i + 2 : j])
		self.i = j + 1
		return self.text[start : j + 1]  # kept: a string run as code later is read again

	def read_braced(self) -> str:
		j = self.matching(self.i + 1, "{", "}")
		inner = self.text[self.i + 2 : j]
		for m in re.finditer(r"\$\(", inner):  # ${X:-$(cmd)}
			k = Reader(inner[m.start() :], self.line)
			k.i = 0
			k.read_substitution()
			self.commands += k.commands
		self.i = j + 1
		return self.text[self.i - len(inner) - 3 : self.i]

	def nested(self, code: str):
		self.commands += Reader(code, self.line).run()

	def queue_heredoc(self, strip: bool):
		while self.peek() in " \t":
			self.i += 1
		m = re.match(r"""(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1""", self.text[self.i :])
		self.heredocs.append((m.group(2), strip, not m.group(1)))
		self.i += m.end()

	def read_heredocs(self):
		while self.heredocs:
			delim, strip, expand = self.heredocs.pop(0)
			body_start, body_line = self.i, self.line
			while self.i < len(self.text):
				end = self.text.find("\n", self.i)
				end = len(self.text) if end < 0 else end
				line = self.text[self.i : end]
				self.i = end + 1
				self.line += 1
				if (line.lstrip("\t") if strip else line) == delim:
					if expand:  # an unquoted delimiter: $(…) in the body runs
						body = self.text[body_start : self.i]
						for m in re.finditer(r"\$\(", body):
							k = Reader(body[m.start() :], body_line + body.count("\n", 0, m.start()))
							k.read_substitution()
							self.commands += k.commands
					break


def unquote(word: str) -> str:
	if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
		inner = word[1:-1]
		if word[0] == '"':
			inner = re.sub(r"\\\n", "", inner)  # a line continued inside the quotes
			inner = re.sub(r"\\([$`\"\\])", r"\1", inner)
		return inner
	return word


def called_commands(path: str) -> list[tuple[str, int]]:
	"""(command, line) for every command a script calls."""
	with open(path, encoding="utf-8") as f:
		text = f.read()
	out = []
	in_case = False  # inside case … esac, before a pattern's ")"
	pending = Reader(text).run()
	while pending:
		line, words, term = pending.pop(0)
		words = list(words)
		if words and words[0] == "case":
			in_case = True
			continue
		if in_case and term == ")":
			continue  # a pattern
		if words and words[0] == "esac":
			in_case = False
			words = words[1:]
		if in_case and term == ";;":
			pass
		out += commands_of(words, line, pending)
	return out


def commands_of(words: list[str], line: int, pending: list) -> list[tuple[str, int]]:
	found = []
	while words:
		w = words[0]
		if w in ("for", "select"):
			return found  # for x in …: no command before do
		if w in KEYWORDS:
			words = words[1:]
			continue
		if re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=", w):
			words = words[1:]  # an assignment
			continue
		name = unquote(w)
		if name in ("local", "export", "declare", "readonly"):
			return found
		if name == "env":
			words = words[1:]
			while words and (words[0].startswith("-") or "=" in words[0]):
				words = words[1:]
			continue
		if name == "runuser":
			found.append((name, line))
			words = words[words.index("--") + 1 :] if "--" in words else []
			continue
		if name == "command" and len(words) > 1 and words[1] in ("-v", "-V"):
			found += [(unquote(x), line) for x in words[2:3]]
			return found
		if name in ("bash", "sh") and any(x in ("-c", "-lc") for x in words[1:]):
			found.append((name, line))
			idx = next(k for k, x in enumerate(words) if x in ("-c", "-lc"))
			if idx + 1 < len(words):
				pending.extend(Reader(unquote(words[idx + 1]), line).run())
			return found
		if name in CODE_RUNNERS or name == "trap":
			if len(words) > 1:
				pending.extend(Reader(unquote(words[1]), line).run())
			return found
		if name == "bench_cmd":
			return found + [("bench", line)]
		if name in PREFIXES:
			found.append((name, line))
			words = words[1:]
			while words and words[0].startswith("-"):
				words = words[1:]
			continue
		if name == "timeout":
			found.append((name, line))
			words = words[2:]
			continue
		found.append((name, line))
		return found
	return found


# ---------------------------------------------------------------------------------------------------------
# The list and the machine.


def read_list(path: str = PACKAGES_FILE) -> list[tuple[str, str, list[str]]]:
	rows = []
	with open(path, encoding="utf-8") as f:
		for raw in f:
			line = raw.split("#", 1)[0].strip()
			if line:
				pkg, group, *what = line.split()
				rows.append((pkg, group, what))
	return rows


def which(name: str) -> str | None:
	return shutil.which(name, path=os.environ.get("PATH", "") + ":" + ":".join(SBIN))


def dpkg_owner(path: str) -> str | None:
	candidates = {path, os.path.realpath(path)}
	for p in list(candidates):
		for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/")):
			if p.startswith(a):
				candidates.add(b + p[len(a) :])
			elif p.startswith(b):
				candidates.add(a + p[len(b) :])
	for p in sorted(candidates):
		r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
		if r.returncode == 0 and r.stdout:
			return r.stdout.split(":", 1)[0].split(",")[0].strip()
	return None


def alternatives(path: str) -> list[str]:
	"""The packages of every alternative of a command managed by update-alternatives."""
	link = os.readlink(path) if os.path.islink(path) else ""
	if not link.startswith("/etc/alternatives/"):
		return []
	r = subprocess.run(
		["update-alternatives", "--list", os.path.basename(link)], capture_output=True, text=True
	)
	return [o for o in (dpkg_owner(p) for p in r.stdout.split()) if o]


def base_system(pkg: str) -> bool:
	r = subprocess.run(
		["dpkg-query", "-W", "-f=${Priority} ${Essential}", pkg], capture_output=True, text=True
	)
	return r.returncode == 0 and (r.stdout.startswith("required") or r.stdout.endswith("yes"))


def shell_builtins() -> set[str]:
	r = subprocess.run(["bash", "-c", "compgen -b; compgen -k"], capture_output=True, text=True)
	return set(r.stdout.split())


def script_functions(paths: list[str]) -> set[str]:
	names = set()
	for p in paths:
		with open(p, encoding="utf-8") as f:
			names |= set(re.findall(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(\)\s*\{", f.read(), re.M))
	return names


def check_coverage(rows, scripts: list[str]) -> list[str]:
	listed_pkgs = {pkg.split(":", 1)[-1] for pkg, _g, _w in rows}
	listed_cmds = {w for _p, _g, what in rows for w in what if not w.startswith("/")}
	builtins, functions = shell_builtins(), script_functions(scripts)
	problems, seen = [], {}
	for script in scripts:
		for name, line in called_commands(script):
			seen.setdefault(name, []).append(
				f"{os.path.relpath(script, os.path.dirname(SCRIPTS_DIR))}:{line}"
			)
	for name, places in sorted(seen.items()):
		if not name or "$" in name or name in builtins or name in functions or name in listed_cmds:
			continue
		if name in NOT_ON_A_ROOT_RUN or name.startswith(("<(", "`")):
			continue
		if "/" in name and not name.startswith("/"):
			continue  # ./env/bin/python, locust-env/bin/locust: made inside the bench by the scripts
		if name.startswith("/opt/bench-cli/"):
			continue  # the frappe-bench virtualenv ensure_packages makes (pip:frappe-bench)
		if os.path.basename(name) in listed_cmds:
			continue  # /usr/bin/python3
		path = name if name.startswith("/") else which(name)
		if not path:
			problems.append(f"{name} ({', '.join(places[:3])}): not installed here and not in packages.txt")
			continue
		owner = dpkg_owner(path)
		if owner and (owner in listed_pkgs or base_system(owner)):
			continue
		if any(base_system(o) for o in alternatives(path)):
			continue  # awk: gawk here, but mawk (required) provides it too
		problems.append(
			f"{name} ({', '.join(places[:3])}): from {owner or 'no Debian package (' + path + ')'}, "
			"which packages.txt does not list and Debian's base system does not always have"
		)
	return problems


def present(pkg: str, what: list[str]) -> bool:
	"""As lib.sh judges it: every command on PATH and every path there; else the package installed."""
	if pkg.startswith(("npm:", "pip:")) or what:
		return all(glob.glob(w) if w.startswith("/") else which(w) for w in what)
	r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
	return r.stdout.strip() == "install ok installed"


def main() -> int:
	parser = argparse.ArgumentParser()
	parser.add_argument("--groups", default="base", help="groups whose lines must be present")
	parser.add_argument("--no-presence", action="store_true")
	args = parser.parse_args()
	scripts = sorted(glob.glob(os.path.join(SCRIPTS_DIR, "*.sh")))
	rows = read_list()
	failures = []

	problems = check_coverage(rows, scripts)
	calls = sum(len(called_commands(s)) for s in scripts)
	print(f"coverage: {calls} command calls in {len(scripts)} scripts, {len(problems)} not covered")
	failures += problems

	if not args.no_presence:
		groups = set(args.groups.split(","))
		absent = [pkg for pkg, group, what in rows if group in groups and not present(pkg, what)]
		print(
			f"presence: {sum(1 for r in rows if r[1] in groups)} lines of {sorted(groups)}, {len(absent)} absent"
		)
		failures += [f"{pkg}: listed in packages.txt but not present after ensure_packages" for pkg in absent]

	# The check can fail: the list without a package the scripts call is refused, naming its command.
	by_pkg = {pkg: what for pkg, _g, what in rows}
	for needed in SELF_CHECK:
		refused = check_coverage([r for r in rows if r[0] != needed], scripts)
		if not any(p.split(" ", 1)[0] in by_pkg.get(needed, ()) for p in refused):
			failures.append(f"self-check: packages.txt without {needed} was not refused")
	print(f"self-check: the list without {' or without '.join(SELF_CHECK)} is refused")

	for f in failures:
		print("FAIL", f, file=sys.stderr)
	return 1 if failures else 0


if __name__ == "__main__":
	sys.exit(main())
