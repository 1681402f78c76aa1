"""``k2tf grade``: grade a class's exercise notebooks into a gradebook and feedback pages.

How a submission is graded, in order (one module per step):

* :mod:`~k2tf.grading.layouts` finds the notebooks (folders, zips, the platforms' downloads:
  Canvas, Moodle, Gradescope) and says who handed in each; :mod:`~k2tf.grading.roster` maps
  them to the names an instructor wants; :mod:`~k2tf.grading.submissions` tells which
  exercise each answers;
* :mod:`~k2tf.grading.rebuild` makes the notebook to validate: the solution notebook, with
  only the student's answer regions (and scratch cells) taken from the submission;
* :mod:`~k2tf.grading.judge` validates it with pytest and nbval in a subprocess, with
  :mod:`~k2tf.grading.judge_plugin` inside that pytest reporting each cell's result through a
  pipe, and :mod:`~k2tf.grading.sandbox` starting the kernel with its limits;
  :mod:`~k2tf.grading.in_kernel` is the grader's own code inside that kernel;
* :mod:`~k2tf.grading.gradebook` writes ``gradebook.csv``, ``summary.csv`` and keeps each
  finished result so an interrupted run resumes; :mod:`~k2tf.grading.feedback` writes the
  feedback pages, :mod:`~k2tf.grading.report` the class report, :mod:`~k2tf.grading.exports`
  the wide gradebook and Canvas's and Moodle's import files; :mod:`~k2tf.grading.outline`
  gives them the exercise's and questions' titles and the lesson sections;
* :mod:`~k2tf.grading.run` ties them together for the command line (plan, execute, record);
* :mod:`~k2tf.grading.gradescope` builds a Gradescope autograder that runs the same grader.

This package is also loaded inside the grading kernel (a private copy): keep this file free
of imports.
"""
