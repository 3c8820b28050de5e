"""From stored pixel values to Hounsfield units: :func:`to_hu`.

A CT file does not store HU. It stores integers, and the Modality LUT module
(DICOM PS3.3 C.11.1) says how to turn them into HU, almost always as
``HU = stored × RescaleSlope + RescaleIntercept``. Three things go wrong in
real data, and this module handles each explicitly:

* **A wrong Pixel Representation.** Part of the RSNA 2019 data declares
  (0028,0103) PixelRepresentation 0 (unsigned) for 12-bit values that are in
  fact two's-complement signed; read as unsigned, air becomes bright.
* **Pixel padding** outside the reconstruction circle, stored as a value far
  below air (−2000 stored, −3024 HU, in many scanners' files).
* **Integer overflow.** Under numpy 2, ``uint16 + (-1024)`` raises, and
  ``uint16 * 1 + 1024`` wraps around silently; here the arithmetic is done in
  float32, which holds every 16-bit integer exactly.

Read it top to bottom: :func:`to_hu` is :func:`stored_values` (decoding) followed by
:func:`stored_to_hu`, which applies the Modality LUT (:func:`rescale`, the formula, written
once) and then the padding rule (:func:`padding_mask`). The RSNA mislabel
(:func:`mislabel_rule`) and the repair most Kaggle kernels copied (:func:`wrap_repair`)
close the module. The checks of pixel decoding live in :mod:`ctlib._internals.pixels`,
and :mod:`ctlib._internals.hu_plan` applies this module's functions to a volume's slices
with one decision per header.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.pixels.processing import apply_modality_lut

from ctlib._internals.pixels import WRITTEN_WRONGLY, decoded_pixels, integer_value
from ctlib.errors import ArgumentError, HeaderError, element_name, source_name
from ctlib.header import first_value, header_value

__all__ = [
    "AIR_HU",
    "PADDING_BELOW_HU",
    "check_ct_image",
    "has_wrong_pixel_representation",
    "mislabel_rule",
    "padding_mask",
    "padding_pixels",
    "padding_range",
    "rescale",
    "rescale_parameters",
    "sign_extend_12",
    "stored_to_hu",
    "stored_values",
    "to_hu",
    "wrap_repair",
]

#: Hounsfield value of air, by definition of the scale.
AIR_HU = -1000.0
#: Values below this (in HU) are not a measurement: nothing in a scan is less
#: dense than air (−1000 HU), and noise in air stays well above −1200 HU. What
#: lies below is padding, e.g. −3024 HU outside the scan circle.
PADDING_BELOW_HU = -1200.0
#: The largest float32: rescaled values must stay below it to be finite.
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def to_hu(
    ds: Dataset,
    *,
    padding: Literal["air", "keep"] = "air",
    fix_pixel_representation: bool = True,
    default_rescale: tuple[float, float] | None = None,
) -> npt.NDArray[np.float32]:
    """Convert a CT image's stored values to Hounsfield units.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A single-frame CT image read with pixel data (e.g. by :func:`ctlib.read`).
        It is not modified.
    padding : {"air", "keep"}, optional
        ``"air"`` (default) sets padding pixels (see :func:`padding_mask`) to
        −1000 HU; ``"keep"`` returns them as the Modality LUT gives them
        (e.g. −3024 HU), so they can be inspected.
    fix_pixel_representation : bool, optional
        If ``True`` (default), data recognised by
        :func:`has_wrong_pixel_representation` are read as the signed 12-bit
        values they are. ``False`` shows the broken image, for teaching.
    default_rescale : (slope, intercept), optional
        Used only when the header has neither (0028,1053) RescaleSlope and
        (0028,1052) RescaleIntercept nor a Modality LUT Sequence. There is no
        implicit default: guessing wrongly shifts every value.

    Returns
    -------
    numpy.ndarray of float32, shape (Rows, Columns)
        The image in HU; a new array.

    Raises
    ------
    HeaderError
        Not a CT image (0008,0060), not MONOCHROME2 (0028,0004: MONOCHROME1,
        an inverted grey scale, and colour images are refused rather than
        guessed at), several frames (0028,0008), no pixel data, an Image Pixel
        module (PS3.3 C.7.6.3) that is incomplete or impossible (e.g.
        (0028,0101) Bits Stored above (0028,0100) Bits Allocated), an
        unreadable element, no rescale and no ``default_rescale``, or a rescale
        whose results are not finite float32 numbers.
    DicomError
        The pixel data cannot be decoded: a compressed transfer syntax without
        its decoder installed (the message names the transfer syntax, its UID
        and the packages that decode it), or damaged data.

    Notes
    -----
    The Modality LUT (PS3.3 C.11.1.1): with (0028,1052) Rescale Intercept and
    (0028,1053) Rescale Slope, ``HU = stored × slope + intercept``, computed
    here in float32 (exact for 16-bit integers with the usual slope 1 and
    integer intercept). A (0028,3000) Modality LUT Sequence is applied with
    :func:`pydicom.pixels.apply_modality_lut`.

    See Also
    --------
    pydicom.pixels.apply_rescale : the reference this function is tested against.
    stored_values, padding_mask, has_wrong_pixel_representation

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> from pydicom.dataset import FileMetaDataset
    >>> from pydicom.uid import ExplicitVRLittleEndian
    >>> ds = Dataset()
    >>> ds.file_meta = FileMetaDataset()
    >>> ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    >>> ds.Modality, ds.RescaleSlope, ds.RescaleIntercept = "CT", 1, -1024
    >>> stored = np.array([[0, 1024], [1064, 2024]], dtype=np.uint16)
    >>> ds.set_pixel_data(stored, "MONOCHROME2", 12)
    >>> to_hu(ds)  # stored 0 is -1024 HU: air, the scanner's floor, not padding
    array([[-1024.,     0.],
           [   40.,  1000.]], dtype=float32)

    Stored values mean nothing without the header: the same pixels with an
    intercept of -2048 put the first one far below air, so it is padding:

    >>> ds.RescaleIntercept = -2048
    >>> to_hu(ds, padding="keep")[0, 0], to_hu(ds)[0, 0]
    (np.float32(-2048.0), np.float32(-1000.0))

    """
    _check_padding_option(padding)
    check_ct_image(ds)  # before decoding: a refused image is never decoded
    stored = stored_values(ds, fix_pixel_representation=fix_pixel_representation)
    # stored_values has already sign-extended what needed it.
    return stored_to_hu(ds, stored, padding=padding, fix_pixel_representation=False,
                        default_rescale=default_rescale)


def stored_to_hu(
    ds: Dataset,
    stored: np.ndarray,
    *,
    padding: Literal["air", "keep"] = "air",
    fix_pixel_representation: bool = True,
    default_rescale: tuple[float, float] | None = None,
    out: npt.NDArray[np.float32] | None = None,
) -> npt.NDArray[np.float32]:
    """Convert stored values already decoded from an image to HU, as :func:`to_hu` does.

    For code that decodes the pixel data itself (e.g. one frame of a multi-frame
    file, or straight from the file's bytes into a volume, :func:`ctlib.load_series`)
    and wants exactly the result of :func:`to_hu`.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image's header (pixel data not needed); not modified.
    stored : numpy.ndarray of integers, shape (Rows, Columns)
        The stored values as pydicom decodes them: (0028,0103) Pixel
        Representation applied and the bits above (0028,0101) Bits Stored
        corrected. Not modified.
    padding, fix_pixel_representation, default_rescale
        As :func:`to_hu`.
    out : numpy.ndarray of float32, optional
        Where to write the result (same shape as ``stored``); a new array if
        not given.

    Returns
    -------
    numpy.ndarray of float32, shape (Rows, Columns)
        ``out`` if given.

    Raises
    ------
    HeaderError
        As :func:`to_hu`.

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.Modality, ds.RescaleSlope, ds.RescaleIntercept = "CT", 1, -1024
    >>> stored_to_hu(ds, np.array([[0, 1064]], dtype=np.uint16))
    array([[-1024.,    40.]], dtype=float32)

    """
    _check_padding_option(padding)
    check_ct_image(ds)
    if fix_pixel_representation and has_wrong_pixel_representation(ds):
        stored = sign_extend_12(stored)
    if "ModalityLUTSequence" in ds:  # a lookup table instead of slope and intercept
        hu = apply_modality_lut(stored, ds).astype(np.float32)
        if out is not None:
            out[...] = hu
            hu = out
    else:
        slope, intercept = rescale_parameters(ds, default_rescale)
        hu = rescale(stored, slope, intercept, out=out)
    if padding == "air":
        hu[padding_mask(ds, hu, stored=stored)] = AIR_HU
    return hu


def rescale(stored: np.ndarray, slope: float, intercept: float, *,
            out: npt.NDArray[np.float32] | None = None) -> npt.NDArray[np.float32]:
    """``HU = stored × slope + intercept`` in float32: the Modality LUT's formula (PS3.3 C.11.1.1).

    Parameters
    ----------
    stored : numpy.ndarray of integers
        Stored values; not modified.
    slope, intercept : float
        (0028,1053) Rescale Slope and (0028,1052) Rescale Intercept
        (see :func:`rescale_parameters`).
    out : numpy.ndarray of float32, optional
        Where to write the result; a new array if not given.

    Returns
    -------
    numpy.ndarray of float32
        ``out`` if given. Exact for 16-bit integers with slope 1 and an integer
        intercept: float32 holds every 16-bit integer. Values of up to 16 bits are
        converted on the fly (no temporary copy); wider ones are converted to
        float32 first.

    Examples
    --------
    >>> import numpy as np
    >>> rescale(np.array([0, 1024, 1064], np.uint16), 1.0, -1024.0)
    array([-1024.,     0.,    40.], dtype=float32)
    >>> rescale(np.array([100], np.int16), 2.5, 0.0)
    array([250.], dtype=float32)
    """
    hu = np.empty(stored.shape, np.float32) if out is None else out
    values = stored if stored.dtype.itemsize <= 2 else stored.astype(np.float32)
    if slope == 1.0:
        np.add(values, np.float32(intercept), out=hu)
    else:
        np.multiply(values, np.float32(slope), out=hu)
        if intercept != 0.0:
            hu += np.float32(intercept)
    return hu


def rescale_parameters(ds: Dataset, default: tuple[float, float] | None = None
                       ) -> tuple[float, float]:
    """(slope, intercept) from the header, or ``default`` if the header has neither.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
    default : (slope, intercept), optional
        Used only when both (0028,1053) Rescale Slope and (0028,1052) Rescale
        Intercept are absent; without it that is an error (no silent guess).

    Returns
    -------
    (float, float)

    Raises
    ------
    HeaderError
        Missing without a default, unreadable, a zero or non-finite slope, or values
        whose results would not be finite float32 numbers.

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.RescaleSlope, ds.RescaleIntercept = "1", "-1024"
    >>> rescale_parameters(ds)
    (1.0, -1024.0)
    """
    source = source_name(ds)
    present = [k for k in ("RescaleSlope", "RescaleIntercept")
               if header_value(ds, k) not in (None, "")]
    if len(present) < 2:
        if default is not None:
            return float(default[0]), float(default[1])
        missing = " and ".join(
            element_name(k) for k in ("RescaleSlope", "RescaleIntercept") if k not in present
        )
        raise HeaderError(
            f"{source}: {missing} missing, so stored values cannot be turned into HU. "
            "If you know the scanner's convention, pass default_rescale=(slope, intercept), "
            "e.g. (1.0, -1024.0)."
        )
    values = []
    for keyword in ("RescaleSlope", "RescaleIntercept"):
        try:
            values.append(first_value(header_value(ds, keyword)))
        except (HeaderError, ValueError, TypeError) as exc:
            raise HeaderError(
                f"{source}: {element_name(keyword)}: {exc}".rstrip(".")
                + f". {WRITTEN_WRONGLY}"
            ) from None
    if not np.isfinite(values).all() or values[0] == 0:
        raise HeaderError(
            f"{source}: {element_name('RescaleSlope')} is {values[0]!r} and "
            f"{element_name('RescaleIntercept')} is {values[1]!r}: the slope must be a "
            "finite non-zero number. Check the file."
        )
    if abs(values[0]) * 2.0**32 + abs(values[1]) >= _FLOAT32_MAX:  # any 32-bit stored value
        raise HeaderError(
            f"{source}: {element_name('RescaleSlope')} is {values[0]!r} and "
            f"{element_name('RescaleIntercept')} is {values[1]!r}: stored values rescaled "
            "so would not be finite float32 numbers, and no HU scale is that wide. "
            + WRITTEN_WRONGLY
        )
    return values[0], values[1]


def stored_values(ds: Dataset, *, fix_pixel_representation: bool = True) -> np.ndarray:
    """Decode the stored pixel values of a single-frame image.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image; not modified (nothing is cached on it).
    fix_pixel_representation : bool, optional
        Sign-extend 12-bit data that :func:`has_wrong_pixel_representation`
        recognises (default ``True``).

    Returns
    -------
    numpy.ndarray of integers, shape (Rows, Columns)

    Raises
    ------
    HeaderError, DicomError
        As :func:`to_hu`.

    """
    arr = decoded_pixels(ds)  # the Image Pixel module checked, then pydicom decodes
    if fix_pixel_representation and has_wrong_pixel_representation(ds):
        return sign_extend_12(arr)
    return arr


def padding_mask(
    ds: Dataset, hu: npt.NDArray[np.floating], *, stored: np.ndarray | None = None
) -> npt.NDArray[np.bool_]:
    """Find the pixels that are padding rather than measurement.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image's data set, for (0028,0120) Pixel Padding Value and (0028,0121)
        Pixel Padding Range Limit.
    hu : numpy.ndarray
        The image in HU, as returned by ``to_hu(ds, padding="keep")``.
    stored : numpy.ndarray, optional
        The stored values (from :func:`stored_values`); decoded from ``ds`` if
        needed and not given.

    Returns
    -------
    numpy.ndarray of bool
        ``True`` where the stored value is the declared padding value (or in
        the declared padding range, PS3.3 C.7.5.1.1.2), or where the HU value is
        below :data:`PADDING_BELOW_HU`.

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> padding_mask(Dataset(), np.array([-3024.0, -1024.0, 40.0]))
    array([ True, False, False])

    """
    if stored is None and header_value(ds, "PixelPaddingValue") is not None:
        stored = stored_values(ds)
    declared = padding_range(ds, stored.dtype) if stored is not None else None
    return padding_pixels(hu, stored, declared)


def padding_range(ds: Dataset, dtype: npt.DTypeLike) -> tuple[int, int] | None:
    """The stored values the header declares as padding, as (lowest, highest); or ``None``.

    (0028,0120) Pixel Padding Value alone marks one value; with (0028,0121) Pixel
    Padding Range Limit, every value between the two (PS3.3 C.7.5.1.1.2). Both are
    US or SS, read in the representation of the stored data (``dtype``).

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.PixelPaddingValue = 63536  # written as US, meant as -2000 in int16 data
    >>> padding_range(ds, np.int16), padding_range(Dataset(), np.int16)
    ((-2000, -2000), None)
    """
    value = header_value(ds, "PixelPaddingValue")
    if value is None:
        return None
    kind = np.dtype(dtype)
    low = _as_stored(ds, "PixelPaddingValue", value, kind)
    limit = header_value(ds, "PixelPaddingRangeLimit")
    high = _as_stored(ds, "PixelPaddingRangeLimit", limit, kind) if limit is not None else low
    return min(low, high), max(low, high)


def padding_pixels(hu: np.ndarray, stored: np.ndarray | None,
                   declared: tuple[int, int] | None) -> npt.NDArray[np.bool_]:
    """The padding rule: below :data:`PADDING_BELOW_HU`, or a stored value in ``declared``.

    Examples
    --------
    >>> import numpy as np
    >>> padding_pixels(np.array([-3024.0, -1000.0, 40.0]), np.array([-2000, 24, 1064]), None)
    array([ True, False, False])
    >>> padding_pixels(np.array([-1000.0]), np.array([24]), (24, 24))
    array([ True])
    """
    mask: npt.NDArray[np.bool_] = np.less(hu, PADDING_BELOW_HU)
    if declared is not None and stored is not None:
        low, high = declared
        mask |= (stored >= low) & (stored <= high)
    return mask


def _as_stored(ds: Dataset, keyword: str, value: object, dtype: np.dtype) -> int:
    """Read a US-or-SS padding value in the representation of the stored data."""
    try:
        number = int(first_value(value))
    except (HeaderError, ValueError, OverflowError):
        raise HeaderError(
            f"{source_name(ds)}: {element_name(keyword)} is {value!r}, not a stored pixel "
            f"value. Pass padding='keep' to leave padding alone. {WRITTEN_WRONGLY}"
        ) from None
    bits = np.dtype(dtype).itemsize * 8
    if np.dtype(dtype).kind == "i" and number >= 2 ** (bits - 1):
        number -= 2**bits  # written as US, meant as SS
    return number


def mislabel_rule(bits_stored: Any, pixel_representation: Any, intercept: Any) -> Any:
    """The RSNA 2019 Pixel Representation mislabel, on values or on whole table columns.

    The one place the rule is written: :func:`has_wrong_pixel_representation`
    applies it to a header, :func:`ctlib.audit` and the notebooks to the columns
    of :func:`ctlib.metadata_table`.

    Parameters
    ----------
    bits_stored, pixel_representation, intercept : number or pandas.Series
        (0028,0101) Bits Stored, (0028,0103) Pixel Representation and (0028,1052)
        Rescale Intercept.

    Returns
    -------
    bool or pandas.Series of bool
        12 bits stored, unsigned, and an intercept above −100 HU (see the Notes
        of :func:`has_wrong_pixel_representation`).

    Examples
    --------
    >>> mislabel_rule(12, 0, 1.0), mislabel_rule(12, 0, -1024.0), mislabel_rule(16, 0, 1.0)
    (True, False, False)
    """
    return (bits_stored == 12) & (pixel_representation == 0) & (intercept > -100)


def has_wrong_pixel_representation(ds: Dataset) -> bool:
    """Tell whether a data set shows the RSNA 2019 Pixel Representation mislabel.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A CT data set (header only is enough).

    Returns
    -------
    bool
        ``True`` when (0028,0101) BitsStored is 12, (0028,0103)
        PixelRepresentation is 0 (unsigned) and (0028,1052) RescaleIntercept is
        above −100.

    Notes
    -----
    Unsigned 12-bit values with an intercept above −100 cannot go below −100 HU,
    so such a scan could not show air, which every head CT contains. In the
    RSNA data these files hold two's-complement values: the header's
    PixelRepresentation is simply wrong, and sign-extending bit 11 recovers the
    image exactly. (The widely copied "add 1000, wrap at 4096, set the
    intercept to −1000" repair is not exact: it turns HU below −1000 bright.)

    Examples
    --------
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> ds.BitsStored, ds.PixelRepresentation, ds.RescaleIntercept = 12, 0, 1
    >>> has_wrong_pixel_representation(ds)
    True
    >>> ds.RescaleIntercept = -1024
    >>> has_wrong_pixel_representation(ds)
    False

    """
    try:
        if "RescaleIntercept" not in ds:
            return False
        return bool(mislabel_rule(integer_value(ds, "BitsStored"), integer_value(ds, "PixelRepresentation"),
                                  first_value(header_value(ds, "RescaleIntercept"))))
    except (HeaderError, TypeError, ValueError):  # unreadable values: not this mislabel
        return False


def sign_extend_12(arr: np.ndarray) -> npt.NDArray[np.int16]:
    """Keep the low 12 bits and sign-extend bit 11: 0..2047 stay, 2048..4095 -> -2048..-1.

    Examples
    --------
    >>> import numpy as np
    >>> sign_extend_12(np.array([0, 2047, 2048, 4095, 0xF000 | 4072], np.uint16))
    array([    0,  2047, -2048,    -1,   -24], dtype=int16)
    """
    signed = (arr & 0x0FFF).astype(np.int16)
    signed ^= 0x0800
    signed -= 0x0800
    return signed


def check_ct_image(ds: Dataset) -> None:
    """Raise :class:`HeaderError` unless ``ds`` is a greyscale (CT) image."""
    source = source_name(ds)
    modality = header_value(ds, "Modality")
    if modality is not None and str(modality).upper() != "CT":
        raise HeaderError(
            f"{source}: {element_name('Modality')} is {str(modality)!r}: Hounsfield "
            "units exist only for CT. Use this function on CT images only."
        )
    photometric = header_value(ds, "PhotometricInterpretation")
    if photometric is not None and str(photometric).strip() != "MONOCHROME2":
        what = {"MONOCHROME1": "an inverted grey scale (high values shown dark), which "
                "ctlib does not guess its way through"}.get(str(photometric).strip(),
                                                           "not a greyscale image")
        raise HeaderError(
            f"{source}: {element_name('PhotometricInterpretation')} is {str(photometric)!r}, "
            f"{what}, but CT images are 'MONOCHROME2' (PS3.3 C.8.2.1.1.1). This is not a "
            "CT slice as the course expects; check what the file holds."
        )


def _check_padding_option(padding: str) -> None:
    if padding not in ("air", "keep"):
        raise ArgumentError(f"padding must be 'air' or 'keep', got {padding!r}.")


def wrap_repair(ds: Dataset) -> npt.NDArray[np.float32]:
    """The repair of the RSNA mislabel that most Kaggle kernels copied, for comparison only.

    It adds 1000 to the stored values, subtracts 4096 from those that reach
    4096, and uses an intercept of −1000. That is exact for HU from −1000 up,
    but a value below −1000 (air at −1024, noise in air) does not wrap and
    comes out near +3072: white instead of black. It also ignores the file's
    own intercept. Use :func:`to_hu`, whose sign extension is exact.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A mislabelled image (see :func:`has_wrong_pixel_representation`).

    Returns
    -------
    numpy.ndarray of float32
        HU as that repair computes them.

    Examples
    --------
    >>> import numpy as np
    >>> from pydicom import Dataset
    >>> from pydicom.dataset import FileMetaDataset
    >>> from pydicom.uid import ExplicitVRLittleEndian
    >>> ds = Dataset()
    >>> ds.file_meta = FileMetaDataset()
    >>> ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    >>> true_hu = np.array([[-1024, -1000, 0, 40]])
    >>> ds.set_pixel_data((true_hu & 0x0FFF).astype(np.uint16), "MONOCHROME2", 12)
    >>> ds.RescaleSlope, ds.RescaleIntercept = 1, 0
    >>> wrap_repair(ds)
    array([[ 3072., -1000.,     0.,    40.]], dtype=float32)
    >>> to_hu(ds, padding="keep")
    array([[-1024., -1000.,     0.,    40.]], dtype=float32)
    """
    x = stored_values(ds, fix_pixel_representation=False).astype(np.int32) + 1000
    x[x >= 4096] -= 4096
    return (x - 1000).astype(np.float32)
