"""``k2tf bench`` (``make bench``): how fast the course runs and grades, measured and reported.

Four benchmarks, each a module here, each writing its raw measurements into
``benchmarks/results.json``; :mod:`k2tf.bench.report` turns that file into
``benchmarks/REPORT.md``, its PNG figures and the headline block of the README. Nothing in
the report is typed by hand: ``k2tf bench --report`` rewrites it from ``results.json``.

- :mod:`~k2tf.bench.lessons`: every lesson and solution run in a fresh kernel, wall time and
  peak memory, beside the floor (a kernel that only starts, or only imports TensorFlow).
- :mod:`~k2tf.bench.grading`: ``k2tf grade`` against ``jupyter nbconvert --execute`` on the
  same submissions, ``--jobs`` 1, 2 and 4, and grading time against class size.
- :mod:`~k2tf.bench.loops`: steps per second of one model under ``fit``, the loops the course
  teaches and XLA, and training time against dataset size (CPU; the GPU when there is one).

Benchmarks measure; they assert nothing. The test suite runs them only in ``--quick`` form,
to prove they work, never to judge a speed.
"""
