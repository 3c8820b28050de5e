"""The course's own helpers: its data set, exercises, lessons' figures and measurements.

Learners call these from the notebooks (``ctlib.open_data()``, ``ctlib.check(...)``, the
lessons' figures), but they are not what the course teaches: a reader who wants to know how a
CT file becomes an image reads the modules one level up (``ctlib.reading``, ``ctlib.hu``,
``ctlib.window``, ``ctlib.series``...).

* :mod:`~ctlib.course.data`: the data set (synthetic, or a real RSNA download), its manifest;
* :mod:`~ctlib.course.examples`: choosing the example series of a real download;
* :mod:`~ctlib.course.exercises`: the exercises and :func:`ctlib.check`;
* :mod:`~ctlib.course.tissues`: the codes of the tissue and lesion maps, and their HU;
* :mod:`~ctlib.course.measure`, :mod:`~ctlib.course.signs`, :mod:`~ctlib.course.landmarks`:
  HU in masks, midline shift and thickness, where anatomy lies on a slice;
* :mod:`~ctlib.course.literature`: the published values the text cites;
* :mod:`~ctlib.course.lessons`, :mod:`~ctlib.course.annotate`: the reading lessons' figures;
* :mod:`~ctlib.course.environment`: the set-up check of notebook 00.

These modules import the learner's modules, never the other way round; the generator
(:mod:`ctlib.synth`) imports both (``tests/test_layout.py``).
"""
