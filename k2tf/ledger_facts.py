"""Dated facts for lesson 11's ledger ("Keras vs TensorFlow" article claims).

Some of the article's claims (who develops Keras and TensorFlow, how large
their communities are, which language wrappers exist) cannot be checked by
running code in the notebook.  For those rows the ledger cites the facts
below.  They were counted from public git histories and read from public
pages on 2026-12-03 and are kept here as plain data, so nothing is fetched
at run time.  Each fact carries its ``as_of`` date (the newest commit of the
git snapshot it was counted from, or the date of the page or package it was
read from) and the exact command or page behind it.

How to refresh (run in bare clones / mirrors of the repositories):

    # keras-team/keras (snapshot: newest commit 3422977a5e38, 2026-08-21T16:09:11-07:00)
    git --git-dir=keras.git log -1 --format='%H %cI'
    git --git-dir=keras.git log --reverse --format='%H %aI %aN <%ae> %s' | head -1
    git --git-dir=keras.git log --format='%ae' | grep -v '\\[bot\\]' | sort -u | wc -l
    git --git-dir=keras.git log --since=2025-08-21T16:09:11-07:00 --format='%ae' \\
        | grep -v '\\[bot\\]' | sort -u | wc -l
    git --git-dir=keras.git for-each-ref refs/tags --format='%(creatordate:short)' \\
        | cut -c1-4 | sort | uniq -c

    # tensorflow/java (snapshot: newest commit 58a19434ad41, 2026-07-24T15:02:37-04:00)
    git --git-dir=java.git for-each-ref refs/tags --sort=-creatordate \\
        --format='%(refname:short) %(creatordate:iso-strict)' | head -1
    git --git-dir=java.git log --since=2025-07-24T15:02:37-04:00 --format='%ae' \\
        | grep -v '\\[bot\\]' | sort -u | wc -l
    git --git-dir=java.git show HEAD:README.md     # version table, SIG JVM

    # installed packages (the course venv)
    python -c "import importlib.metadata as m; md = m.metadata('keras'); \\
        print(md['Version'], md['Author-email'], md['License'], md.get_all('Project-URL'))"
    python -c "import importlib.metadata as m; md = m.metadata('tensorflow'); \\
        print(md['Version'], md['Author'], md['Author-email'], md['License'], md['Home-page'])"
    find "$(python -c 'import tensorflow,os;print(os.path.dirname(tensorflow.__file__))')/include/tensorflow/cc" \\
        -name '*.h' | wc -l

Git notes: ``--since`` filters on committer date; distinct authors are
counted by author e-mail (``%ae``) with GitHub bot accounts (``[bot]``, i.e.
dependabot) excluded; the snapshots have no ``.mailmap``, so one person who
used two e-mail addresses counts twice.  Tags are lightweight, so a tag's
date is its commit's date.

Not included because it could not be determined: the tensorflow/tensorflow
git history (the mirror is about 2.4 GB, over the fetch limit), so there is
no TensorFlow contributor count for the last 12 months, no release count per
year and no @google.com share of its commits.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Fact", "FACTS", "ROWS", "facts_for"]

ROWS = ("backends", "authors", "community", "intro_wrappers")

_KERAS_GIT = (
    "git history of github.com/keras-team/keras at 3422977a5e38 "
    "(newest commit on master 2026-08-21T16:09:11-07:00)"
)
_TFJAVA_GIT = (
    "git history of github.com/tensorflow/java at 58a19434ad41 "
    "(newest commit on master 2026-07-24T15:02:37-04:00)"
)


@dataclass(frozen=True)
class Fact:
    key: str  # e.g. "keras_contributors_12m"
    row: str  # ledger row id it supports: "authors", "community" or "intro_wrappers"
    statement: str  # one sentence a student reads, with the number
    value: object  # the number (int/float) or short string
    source: str  # what was counted/read, and how
    as_of: str  # ISO date of the data


FACTS: tuple[Fact, ...] = (
    # ---- authors: who started / who develops ------------------------------
    Fact(
        key="keras_first_commit",
        row="authors",
        statement=(
            "The first commit of keras-team/keras was made on 2015-03-27 by "
            "fchollet (François Chollet), followed the same day by "
            "\"Add initial public version of Keras\"."
        ),
        value="2015-03-27 fchollet",
        source=(
            _KERAS_GIT + ": git log --reverse --format='%H %aI %aN <%ae> %s' | head -2 "
            "-> 1f0bd8cac393 2015-03-27T17:35:42-07:00 fchollet "
            "<francois.chollet@gmail.com> 'Initial commit'"
        ),
        as_of="2026-08-21",
    ),
    Fact(
        key="keras_package_author",
        row="authors",
        statement=(
            "The installed keras 3.15.1 package names its author as "
            "\"Keras team <keras-users@googlegroups.com>\" (no individual "
            "author or maintainer), license Apache License 2.0."
        ),
        value="Keras team <keras-users@googlegroups.com>",
        source=(
            "importlib.metadata.metadata('keras') of keras 3.15.1 in the course "
            "venv: Author=None, Author-email='Keras team "
            "<keras-users@googlegroups.com>', Maintainer=None, "
            "License='Apache License 2.0', Project-URL: Home https://keras.io/, "
            "Repository https://github.com/keras-team/keras (same as "
            "pyproject.toml [project].authors in the git snapshot)"
        ),
        as_of="2026-12-03",
    ),
    Fact(
        key="tensorflow_package_author",
        row="authors",
        statement=(
            "The installed tensorflow 2.21.0 package names its author as "
            "\"Google Inc.\" (packages@tensorflow.org), license Apache 2.0."
        ),
        value="Google Inc.",
        source=(
            "importlib.metadata.metadata('tensorflow') of tensorflow 2.21.0 in "
            "the course venv: Author='Google Inc.', "
            "Author-email='packages@tensorflow.org', Maintainer=None, "
            "License='Apache 2.0', Home-page='https://www.tensorflow.org/'"
        ),
        as_of="2026-12-03",
    ),
    Fact(
        key="keras_multibackend_discontinued",
        row="backends",
        statement=(
            "Keras 2.4.0 (tagged 2020-06-17, \"Redirect Keras to tf.keras\") ended multi-backend "
            "Keras; its README says \"Multi-backend Keras has been discontinued\" and that "
            "Keras 2.2.5 was the last release to support Theano and CNTK."
        ),
        value="2.4.0 (2020-06-17)",
        source=(
            "git history of github.com/keras-team/keras: git log -1 --date=short 2.4.0 "
            "(b5cb82c689ea, 2020-06-17); git show 2.4.0:README.md, section 'Multi-backend "
            "Keras and tf.keras'"
        ),
        as_of="2020-06-17",
    ),
    Fact(
        key="google_brain_merged",
        row="authors",
        statement=(
            "The Google Brain team no longer exists as such: on 2023-04-20 "
            "Google merged Brain (from Google Research) with DeepMind into "
            "one unit, Google DeepMind."
        ),
        value="Google DeepMind (since 2023-04-20)",
        source=(
            "https://9to5google.com/2023/04/20/google-deepmind/ (announcement "
            "coverage, 2023-04-20; also "
            "https://www.datacenterdynamics.com/en/news/as-ai-race-intensifies-"
            "google-merges-deepmind-and-brain-as-google-deepmind/)"
        ),
        as_of="2023-04-20",
    ),
    # ---- community: how many people, how active ------------------------------
    Fact(
        key="keras_contributors_all_time",
        row="community",
        statement=(
            "1568 distinct author e-mail addresses appear in the commit "
            "history of keras-team/keras from 2015-03-27 to 2026-08-21."
        ),
        value=1568,
        source=(
            _KERAS_GIT + ": git log --format='%ae' | grep -v '\\[bot\\]' | sort -u "
            "| wc -l (dependabot excluded; 1550 distinct author names by %aN)"
        ),
        as_of="2026-08-21",
    ),
    Fact(
        key="keras_contributors_12m",
        row="community",
        statement=(
            "148 distinct authors (by e-mail) wrote the 956 non-bot commits to "
            "keras-team/keras in the 12 months to 2026-08-21."
        ),
        value=148,
        source=(
            _KERAS_GIT + ": git log --since=2025-08-21T16:09:11-07:00 --format='%ae' "
            "| grep -v '\\[bot\\]' | sort -u | wc -l (dependabot's 14 commits "
            "excluded; 147 distinct names by %aN; 970 commits in all)"
        ),
        as_of="2026-08-21",
    ),
    Fact(
        key="keras_releases_per_year",
        row="community",
        statement=(
            "keras-team/keras tagged 16 releases in 2024, 11 in 2025 and 10 in "
            "2026 up to 2026-08-21 (latest v3.15.1, 2026-07-29)."
        ),
        value="2024: 16, 2025: 11, 2026 (to 08-21): 10",
        source=(
            _KERAS_GIT + ": git for-each-ref refs/tags "
            "--format='%(refname:short) %(creatordate:short)' (all tags in these "
            "years are v3.x.y; 2024 runs v3.0.3..v3.7.0, 2025 v3.8.0..v3.13.0, "
            "2026 v3.13.1..v3.15.1 incl. backports v3.12.1-v3.12.4)"
        ),
        as_of="2026-08-21",
    ),
    Fact(
        key="tensorflow_2_21_release",
        row="community",
        statement=(
            "TensorFlow's newest release found, 2.21.0, was published on "
            "2026-03-06 (the version installed in this course)."
        ),
        value="2.21.0",
        source=(
            "GitHub release v2.21.0 of tensorflow/tensorflow "
            "(https://github.com/tensorflow/tensorflow/releases/tag/v2.21.0, "
            "stored copy: published_at 2026-03-06T19:48:15Z); the git history "
            "itself could not be fetched (too large)"
        ),
        as_of="2026-03-06",
    ),
    Fact(
        key="tensorflow_2_21_thanked_contributors",
        row="community",
        statement=(
            "The TensorFlow 2.21.0 release notes credit \"many people at "
            "Google, as well as\" 370 listed names (the list mixes Googlers, "
            "outside contributors and a few bot accounts)."
        ),
        value=370,
        source=(
            "'Thanks to our Contributors' section of the TensorFlow 2.21.0 "
            "release notes (GitHub release v2.21.0, published "
            "2026-03-06T19:48:15Z): comma-separated names counted, 370 entries "
            "including dependabot[bot], 'A. Unique TensorFlower' and "
            "'TensorFlower Gardener'"
        ),
        as_of="2026-03-06",
    ),
    # ---- intro_wrappers: "has wrappers in C++ and Java" ----------------------
    Fact(
        key="tfjava_latest_release",
        row="intro_wrappers",
        statement=(
            "TensorFlow for Java now lives in its own repository, "
            "tensorflow/java, maintained by the TensorFlow JVM SIG; its newest "
            "release v1.2.0 (2026-07-18) is built on TensorFlow 2.21.0."
        ),
        value="v1.2.0 (2026-07-18)",
        source=(
            _TFJAVA_GIT + ": git for-each-ref refs/tags --sort=-creatordate "
            "--format='%(refname:short) %(creatordate:iso-strict)' | head -1 -> "
            "v1.2.0 2026-07-18T13:21:46-04:00 (commit 62a6c6c04); README.md: "
            "'maintained by TensorFlow JVM Special Interest Group (SIG)', "
            "version table row '1.2.0 | 2.21.0'"
        ),
        as_of="2026-07-24",
    ),
    Fact(
        key="tfjava_contributors_12m",
        row="intro_wrappers",
        statement=(
            "7 distinct authors (by e-mail, none @google.com) wrote the 46 "
            "commits to tensorflow/java in the 12 months to 2026-07-24."
        ),
        value=7,
        source=(
            _TFJAVA_GIT + ": git log --since=2025-07-24T15:02:37-04:00 "
            "--format='%ae' | grep -v '\\[bot\\]' | sort -u | wc -l "
            "(10 distinct names by %aN; no bot commits in the window)"
        ),
        as_of="2026-07-24",
    ),
    Fact(
        key="tensorflow_c_cpp_headers",
        row="intro_wrappers",
        statement=(
            "The tensorflow 2.21.0 pip package ships the C API header "
            "tensorflow/c/c_api.h and 73 C++ API headers under "
            "tensorflow/cc (e.g. client/client_session.h)."
        ),
        value=73,
        source=(
            "installed tensorflow 2.21.0 in the course venv: "
            "find site-packages/tensorflow/include/tensorflow/cc -name '*.h' "
            "| wc -l; ls include/tensorflow/c/c_api.h "
            "include/tensorflow/cc/client/client_session.h"
        ),
        as_of="2026-12-03",
    ),
)


def facts_for(row: str) -> tuple[Fact, ...]:
    """Return the facts that support ledger row ``row`` (in FACTS order)."""
    if row not in ROWS:
        raise ValueError(f"unknown ledger row {row!r}; expected one of {ROWS}")
    return tuple(f for f in FACTS if f.row == row)
