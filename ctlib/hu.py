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
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.pixels import get_decoder  # type: ignore[attr-defined]  # public, not in __all__
from pydicom.pixels.processing import apply_modality_lut
from pydicom.pixels.utils import pixel_array
from pydicom.uid import UID

from ctlib.errors import (
    ArgumentError,
    DicomError,
    HeaderError,
    brief,
    element_name,
    source_name,
)
from ctlib.header import first_value, header_value

__all__ = [
    "AIR_HU",
    "HU_HEADER_KEYWORDS",
    "PADDING_BELOW_HU",
    "has_wrong_pixel_representation",
    "mislabel_rule",
    "padding_mask",
    "stored_to_hu",
    "stored_values",
    "to_hu",
    "wrap_repair",
]

#: Hounsfield value of air, by definition of the scale.
AIR_HU = -1000.0
#: Every header element :func:`stored_to_hu` (so :func:`to_hu`) reads besides the pixel data:
#: two headers that agree on all of them give the same HU for the same stored values.
HU_HEADER_KEYWORDS = (
    "Modality",
    "PhotometricInterpretation",
    "BitsStored",
    "PixelRepresentation",
    "RescaleSlope",
    "RescaleIntercept",
    "ModalityLUTSequence",
    "PixelPaddingValue",
    "PixelPaddingRangeLimit",
)
#: Values below this (in HU) are not a measurement: nothing in a scan is less
#: dense than air (−1000 HU), and noise in air stays well above −1200 HU. What
#: lies below is padding, e.g. −3024 HU outside the scan circle.
PADDING_BELOW_HU = -1200.0
#: The largest float32: rescaled values must stay below it to be finite.
_FLOAT32_MAX = float(np.finfo(np.float32).max)
#: What a damaged header element calls for.
_WRITTEN_WRONGLY = (
    "The file was written wrongly: get it again from its source, and look at its header "
    "with ctlib.read(path, header_only=True)."
)
#: pip's names of the packages pydicom's decoder plugins require, where they differ.
_PIP_NAMES = {"gdcm": "python-gdcm"}


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
    _check_ct_image(ds)
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

    For code that decodes the pixel data itself (e.g. straight from the file's
    bytes into a volume, :func:`ctlib.load_series`) and wants exactly the
    result of :func:`to_hu`.

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
    plan = hu_plan(ds, stored.dtype, padding=padding,
                   fix_pixel_representation=fix_pixel_representation,
                   default_rescale=default_rescale)
    if plan is not None:  # the usual case: slope and intercept on 16-bit integers
        return plan.apply(stored, np.empty(stored.shape, np.float32) if out is None else out)
    # A Modality LUT Sequence, or stored values wider than 16 bits (hu_plan checked the header).
    if fix_pixel_representation and has_wrong_pixel_representation(ds):
        stored = _sign_extend_12(stored)
    return _modality_lut(ds, stored, padding, default_rescale, out)


@dataclass(frozen=True)
class HuPlan:
    """What :func:`stored_to_hu` does with one header, decided once (see :func:`hu_plan`).

    Slices whose headers agree on every element of :data:`HU_HEADER_KEYWORDS` share
    a plan, so a volume's slices are converted without asking pydicom for the same
    values again and again.
    """

    sign_extend_12: bool
    slope: float
    intercept: float
    padding_air: bool
    padding_range: tuple[int, int] | None

    def apply(self, stored: np.ndarray, out: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Convert ``stored`` into ``out`` as :func:`stored_to_hu` would; returns ``out``."""
        if self.sign_extend_12:
            stored = _sign_extend_12(stored)
        if self.slope != 1.0:
            np.multiply(stored, np.float32(self.slope), out=out)
            if self.intercept != 0.0:
                out += np.float32(self.intercept)
        else:
            np.add(stored, np.float32(self.intercept), out=out)
        if self.padding_air:
            mask = np.less(out, PADDING_BELOW_HU)
            if self.padding_range is not None:
                low, high = self.padding_range
                mask |= (stored >= low) & (stored <= high)
            out[mask] = AIR_HU
        return out


def hu_plan(
    ds: Dataset,
    dtype: npt.DTypeLike,
    *,
    padding: Literal["air", "keep"] = "air",
    fix_pixel_representation: bool = True,
    default_rescale: tuple[float, float] | None = None,
) -> HuPlan | None:
    """Decide how :func:`stored_to_hu` converts stored values of ``dtype`` for this header.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The image's header.
    dtype : numpy dtype
        Of the stored values (at most 16-bit integers).
    padding, fix_pixel_representation, default_rescale
        As :func:`to_hu`.

    Returns
    -------
    HuPlan or None
        ``None`` if the header has a Modality LUT Sequence (PS3.3 C.11.1) or the
        values are not small integers: use :func:`stored_to_hu`.

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
    >>> plan = hu_plan(ds, np.uint16)
    >>> plan.apply(np.array([[0, 1064]], np.uint16), np.empty((1, 2), np.float32))
    array([[-1024.,    40.]], dtype=float32)
    """
    _check_padding_option(padding)
    _check_ct_image(ds)
    kind = np.dtype(dtype)
    if "ModalityLUTSequence" in ds or kind.kind not in "iu" or kind.itemsize > 2:
        return None
    extend = fix_pixel_representation and has_wrong_pixel_representation(ds)
    slope, intercept = _rescale(ds, default_rescale)
    padding_range = None
    value = header_value(ds, "PixelPaddingValue") if padding == "air" else None
    if value is not None:
        stored_kind = np.dtype(np.int16) if extend else kind
        low = _as_stored(ds, "PixelPaddingValue", value, stored_kind)
        limit = header_value(ds, "PixelPaddingRangeLimit")
        high = (_as_stored(ds, "PixelPaddingRangeLimit", limit, stored_kind)
                if limit is not None else low)
        padding_range = (min(low, high), max(low, high))
    return HuPlan(extend, slope, intercept, padding == "air", padding_range)


def _check_padding_option(padding: str) -> None:
    if padding not in ("air", "keep"):
        raise ArgumentError(f"padding must be 'air' or 'keep', got {padding!r}.")


def _modality_lut(
    ds: Dataset,
    stored: np.ndarray,
    padding: str,
    default_rescale: tuple[float, float] | None,
    out: npt.NDArray[np.float32] | None,
) -> npt.NDArray[np.float32]:
    """Apply the Modality LUT in float32 (into ``out`` if given), then the padding option.

    For what :class:`HuPlan` does not cover: a Modality LUT Sequence, or stored values
    wider than 16 bits.
    """
    if "ModalityLUTSequence" in ds:
        lut = apply_modality_lut(stored, ds).astype(np.float32)
        if out is None:
            hu = lut
        else:
            hu = out
            hu[...] = lut
    else:
        slope, intercept = _rescale(ds, default_rescale)
        hu = stored.astype(np.float32)
        if slope != 1.0:
            hu *= np.float32(slope)
        if intercept != 0.0:
            hu += np.float32(intercept)
        if out is not None:
            out[...] = hu
            hu = out
    if padding == "air":
        hu[padding_mask(ds, hu, stored=stored)] = AIR_HU
    return hu


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
    source = source_name(ds)
    if "PixelData" not in ds:
        raise HeaderError(
            f"{source}: {element_name('PixelData')} is missing. If the file was read with "
            "header_only=True, read it again without it."
        )
    _check_pixel_module(ds, source)
    syntax = _transfer_syntax(ds, source)
    try:
        arr = pixel_array(ds)
    except Exception as exc:  # pydicom raises many types; all mean "cannot decode"
        kind = "compressed data are damaged" if syntax.is_compressed else (
            "pixel data do not match the header")
        raise DicomError(
            f"{source}: cannot decode {element_name('PixelData')} with transfer syntax "
            f"{_syntax_name(syntax)} ({brief(exc)}). The {kind}: get the file again from "
            "its source."
        ) from exc
    if arr.ndim != 2:
        raise HeaderError(
            f"{source}: {element_name('PixelData')} decodes to shape {arr.shape}, not to "
            f"one 2-D slice: {element_name('Rows')} × {element_name('Columns')} do not "
            f"describe the data. {_WRITTEN_WRONGLY}"
        )
    if fix_pixel_representation and has_wrong_pixel_representation(ds):
        return _sign_extend_12(arr)
    return arr


def _integer(ds: Dataset, keyword: str) -> int | None:
    """A header element's (first) value as ``int``; ``None`` if absent; else HeaderError."""
    value = header_value(ds, keyword)
    if value is None or value == "":
        return None
    try:
        number = first_value(value)
        if not number.is_integer():
            raise ValueError
    except (HeaderError, ValueError, OverflowError):
        raise HeaderError(
            f"{source_name(ds)}: {element_name(keyword)} is {value!r}, not a whole number. "
            f"{_WRITTEN_WRONGLY}"
        ) from None
    return int(number)


def _check_pixel_module(ds: Dataset, source: str) -> None:
    """Raise HeaderError unless the Image Pixel module describes one greyscale frame.

    PS3.3 C.7.6.3: Rows, Columns, Bits Allocated, Bits Stored, Pixel
    Representation and Samples per Pixel are required (Type 1); Bits Stored
    cannot exceed Bits Allocated; a CT slice has one sample per pixel and one
    frame. Checked before decoding, so that pydicom never decodes (or
    allocates memory for) an image that would be refused anyway.
    """
    values: dict[str, int] = {}
    for keyword in ("Rows", "Columns", "BitsAllocated", "BitsStored", "PixelRepresentation",
                    "SamplesPerPixel"):
        number = _integer(ds, keyword)
        if number is None:
            raise HeaderError(
                f"{source}: {element_name(keyword)} is missing, but the Image Pixel module "
                "(PS3.3 C.7.6.3) needs it to decode the pixel data. " + _WRITTEN_WRONGLY
            )
        values[keyword] = number
    problem = None
    if values["Rows"] < 1 or values["Columns"] < 1:
        keyword = "Rows" if values["Rows"] < 1 else "Columns"
        problem = (keyword, "an image has at least one row and one column")
    elif values["BitsAllocated"] not in (8, 16, 32):
        problem = ("BitsAllocated", "a CT image has 16 (sometimes 8 or 32) bits per value")
    elif not 1 <= values["BitsStored"] <= values["BitsAllocated"]:
        problem = ("BitsStored", (f"it must be between 1 and {element_name('BitsAllocated')} "
                                  f"({values['BitsAllocated']}): a value cannot use more bits "
                                  "than it is given (PS3.5 section 8.1.1)"))
    elif values["PixelRepresentation"] not in (0, 1):
        problem = ("PixelRepresentation", "it must be 0 (unsigned) or 1 (signed)")
    elif values["SamplesPerPixel"] != 1:
        problem = ("SamplesPerPixel", ("a CT image has one grey value per pixel; this is a "
                                       "colour image, such as a screenshot or a secondary "
                                       "capture"))
    if problem is not None:
        keyword, why = problem
        raise HeaderError(
            f"{source}: {element_name(keyword)} is {values[keyword]}, but {why}. "
            + _WRITTEN_WRONGLY
        )
    frames = _integer(ds, "NumberOfFrames")
    if frames is not None and frames > 1:
        raise HeaderError(
            f"{source}: {element_name('NumberOfFrames')} is {frames}: the file holds "
            "several images (a multi-frame object, such as an Enhanced CT), but ctlib "
            "converts single-frame slices, one per file. Decode one frame with "
            "frame = pydicom.pixels.pixel_array(ds, index=k) and convert it with "
            "ctlib.hu.stored_to_hu(ds, frame), or split the file into single-frame files."
        )


def _transfer_syntax(ds: Dataset, source: str) -> UID:
    """The data set's transfer syntax, or an error if pydicom cannot decode it here."""
    file_meta = getattr(ds, "file_meta", None)
    value = file_meta.get("TransferSyntaxUID") if file_meta is not None else None
    if not value:
        raise HeaderError(
            f"{source}: {element_name('TransferSyntaxUID')} is missing from ds.file_meta, "
            "so the encoding of the pixel data is unknown. Read files with ctlib.read; for "
            "a data set built in memory, set ds.file_meta.TransferSyntaxUID."
        )
    syntax = UID(value)
    if not syntax.is_transfer_syntax:
        raise DicomError(
            f"{source}: {element_name('TransferSyntaxUID')} is {str(syntax)!r}, not a "
            "transfer syntax of the DICOM standard (PS3.5 Annex A) that pydicom knows, so "
            "the pixel data cannot be decoded. Convert the file to Explicit VR Little "
            "Endian with the software that wrote it."
        )
    if not syntax.is_compressed:
        return syntax
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise DicomError(
            f"{source}: {element_name('PixelData')} is compressed with "
            f"{_syntax_name(syntax)}, which pydicom cannot decode. Convert the file to an "
            "uncompressed transfer syntax, e.g. with dcmtk (dcmdjpeg, dcmdrle) or "
            "gdcmconv --raw."
        ) from None
    if not decoder.is_available:
        raise DicomError(
            f"{source}: {element_name('PixelData')} is compressed with "
            f"{_syntax_name(syntax)}, and no decoder for it is installed. Install one of: "
            f"{_install_hints(decoder.missing_dependencies)}; then restart the kernel "
            "(or Python) and read the file again."
        )
    return syntax


def _syntax_name(syntax: UID) -> str:
    """``"JPEG 2000 Image Compression (1.2.840.10008.1.2.4.91)"``; the UID alone if unnamed."""
    return f"{syntax.name} ({syntax})" if syntax.name != str(syntax) else str(syntax)


def _install_hints(missing: list[str]) -> str:
    """pip commands from pydicom's ``missing_dependencies`` (``"gdcm - requires gdcm>=3"``).

    Examples
    --------
    >>> print(_install_hints(["gdcm - requires gdcm>=3.0.10",
    ...                       "pylibjpeg - requires pylibjpeg>=2.0 and pylibjpeg-libjpeg>=2.1"]))
    'pip install python-gdcm' (plugin gdcm), 'pip install pylibjpeg pylibjpeg-libjpeg' ...
    """
    hints = []
    for entry in missing:
        plugin, _, needs = entry.partition(" - requires ")
        names = [re.split(r"[<>=!~ ]", need.strip(), maxsplit=1)[0]
                 for need in needs.split(" and ")]
        packages = [_PIP_NAMES.get(name, name) for name in names if name and name != "numpy"]
        if packages:
            hints.append(f"'pip install {' '.join(packages)}' (plugin {plugin.strip()})")
        else:
            hints.append(entry)
    return ", ".join(hints) or "a decoder plugin of pydicom (see pydicom's documentation)"


def _sign_extend_12(arr: np.ndarray) -> npt.NDArray[np.int16]:
    """Keep the low 12 bits and sign-extend bit 11: 0..2047 stay, 2048..4095 -> -2048..-1."""
    signed = (arr & 0x0FFF).astype(np.int16)
    signed ^= 0x0800
    signed -= 0x0800
    return signed


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
        return bool(mislabel_rule(_integer(ds, "BitsStored"), _integer(ds, "PixelRepresentation"),
                                  first_value(header_value(ds, "RescaleIntercept"))))
    except (HeaderError, TypeError, ValueError):  # unreadable values: not this mislabel
        return False


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
    mask: npt.NDArray[np.bool_] = np.less(hu, PADDING_BELOW_HU)
    value = header_value(ds, "PixelPaddingValue")
    if value is None:
        return mask
    if stored is None:
        stored = stored_values(ds)
    low = _as_stored(ds, "PixelPaddingValue", value, stored.dtype)
    limit = header_value(ds, "PixelPaddingRangeLimit")
    high = (_as_stored(ds, "PixelPaddingRangeLimit", limit, stored.dtype)
            if limit is not None else low)
    low, high = min(low, high), max(low, high)
    mask |= (stored >= low) & (stored <= high)
    return mask


def _as_stored(ds: Dataset, keyword: str, value: object, dtype: np.dtype) -> int:
    """Read a US-or-SS padding value in the representation of the stored data."""
    try:
        number = int(first_value(value))
    except (HeaderError, ValueError, OverflowError):
        raise HeaderError(
            f"{source_name(ds)}: {element_name(keyword)} is {value!r}, not a stored pixel "
            f"value. Pass padding='keep' to leave padding alone. {_WRITTEN_WRONGLY}"
        ) from None
    bits = np.dtype(dtype).itemsize * 8
    if np.dtype(dtype).kind == "i" and number >= 2 ** (bits - 1):
        number -= 2**bits  # written as US, meant as SS
    return number


def _check_ct_image(ds: Dataset) -> None:
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


def _rescale(ds: Dataset, default: tuple[float, float] | None) -> tuple[float, float]:
    """Return (slope, intercept) from the header, or ``default`` if both are absent."""
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
                + f". {_WRITTEN_WRONGLY}"
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
            + _WRITTEN_WRONGLY
        )
    return values[0], values[1]


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
