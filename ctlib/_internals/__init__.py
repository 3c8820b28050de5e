"""What makes ``ctlib`` fast and robust, kept out of the modules a learner reads.

Nothing here is new DICOM knowledge: each module does what a learner's module explains, with
fewer Python objects, and is tested against it.

* :mod:`~ctlib._internals.elements`: the only code that reads a file's bytes: walking the
  elements of a header, finding (7FE0,0010) Pixel Data and checking that it holds what the
  header says (used by :func:`ctlib.read`, :func:`ctlib.metadata_table` and
  :func:`ctlib.load_series`);
* :mod:`~ctlib._internals.pixels`: the checks and messages of decoding pixel data with
  pydicom (Image Pixel module, transfer syntax, decoder plugins);
* :mod:`~ctlib._internals.hu_plan`: :func:`ctlib.to_hu` decided once per header, for a
  volume's many slices;
* :mod:`~ctlib._internals.slices`: a series' files scanned and filled into one array.
"""
