//! Claim documents (理赔材料) as they arrive: what a file is, decided by its bytes alone
//! (never by its name or the browser's header), and what of it we keep.
//!
//! Photos lose their metadata (EXIF holds the GPS position, XMP may repeat it) before they
//! are stored; the pixels are copied untouched. The colour profile stays, so colours look
//! the same; orientation is not kept.

use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::png::Png;
use img_parts::Bytes;

/// The largest file we take (issue 17: 10 MB each).
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The kinds of file a claim document may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Jpeg,
    Png,
    Pdf,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Pdf => "application/pdf",
        }
    }

    /// For a download's file name.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    /// As stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Pdf => "pdf",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "pdf" => Some(Self::Pdf),
            _ => None,
        }
    }
}

/// Why a file was refused. The caller maps each to an error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than MAX_BYTES")]
    TooLarge,
    /// HEIC/HEIF (and AVIF, the same container). Refused: the only pure-Rust crate that
    /// claims to rewrite a HEIF's metadata (little_exif 0.6) handles a few dozen EXIF tags
    /// and leaves XMP, which can repeat the position, so no maintained crate reliably strips
    /// its location; the file input asks for JPEG, which phone browsers then convert to.
    #[error("HEIC/HEIF images are not accepted")]
    Heic,
    #[error("only JPEG, PNG and PDF files are accepted")]
    NotAllowed,
    #[error("the file is truncated or structurally broken")]
    Damaged,
}

/// Decides what `bytes` are and returns what we store: a JPEG or PNG without its
/// metadata, or a PDF as it came.
pub fn accept(bytes: Vec<u8>) -> Result<(FileKind, Vec<u8>), UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(UploadError::TooLarge);
    }
    let kind = sniff(&bytes)?;
    let kept = match kind {
        FileKind::Jpeg => clean_jpeg(bytes)?,
        FileKind::Png => clean_png(bytes)?,
        FileKind::Pdf => check_pdf(bytes)?,
    };
    Ok((kind, kept))
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const PDF_HEADER: &[u8] = b"%PDF-";
const PDF_END: &[u8] = b"%%EOF";
/// Readers look for a PDF's header in its first KB and for its end marker in its last.
const PDF_WINDOW: usize = 1024;

/// The kind by the first bytes. A file that starts like one of ours but is cut short is
/// that kind (and then found damaged), not "not allowed".
fn sniff(b: &[u8]) -> Result<FileKind, UploadError> {
    if b.starts_with(&[0xFF, markers::SOI]) {
        Ok(FileKind::Jpeg)
    } else if b.starts_with(&PNG_SIGNATURE[..4]) {
        Ok(FileKind::Png)
    } else if b.starts_with(PDF_HEADER) {
        Ok(FileKind::Pdf)
    } else if is_heif(b) {
        Err(UploadError::Heic)
    } else if contains(&b[..b.len().min(PDF_WINDOW)], PDF_HEADER)
        || contains(&b[b.len().saturating_sub(PDF_WINDOW)..], PDF_END)
    {
        // a PDF with something before its header, or a PDF's end without its beginning
        Err(UploadError::Damaged)
    } else {
        Err(UploadError::NotAllowed)
    }
}

/// Brands of the HEIF family in an ISO-BMFF `ftyp` box (HEVC, AV1 and AVC images and
/// sequences, and the structural `mif1`/`msf1` brands they all list).
const HEIF_BRANDS: [&[u8; 4]; 15] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"mif2",
    b"msf1", b"avif", b"avis", b"avci", b"avcs",
];

fn is_heif(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let end = size.clamp(16, b.len());
    // major brand at 8, minor version at 12, compatible brands from 16
    std::iter::once(&b[8..12])
        .chain(b[16..end].chunks_exact(4))
        .any(|brand| HEIF_BRANDS.iter().any(|h| &h[..] == brand))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn check_pdf(bytes: Vec<u8>) -> Result<Vec<u8>, UploadError> {
    let tail = &bytes[bytes.len().saturating_sub(PDF_WINDOW)..];
    if bytes.get(PDF_HEADER.len()).is_some_and(u8::is_ascii_digit) && contains(tail, PDF_END) {
        Ok(bytes)
    } else {
        Err(UploadError::Damaged)
    }
}

fn clean_jpeg(mut bytes: Vec<u8>) -> Result<Vec<u8>, UploadError> {
    // Whatever follows the first image (the extra pictures of an MPF file, vendor trailers)
    // can carry its own EXIF: it goes.
    let end = jpeg_image_end(&bytes).ok_or(UploadError::Damaged)?;
    bytes.truncate(end);
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).map_err(|_| UploadError::Damaged)?;
    jpeg.segments_mut().retain(keep_jpeg_segment);
    Ok(jpeg.encoder().bytes().to_vec())
}

/// Segments that say how to draw the picture stay; every application segment that is not
/// JFIF, the ICC profile or Adobe's colour transform goes (EXIF and XMP are APP1, the
/// extra pictures' index MPF is APP2, IPTC is APP13), and so do comments.
fn keep_jpeg_segment(segment: &JpegSegment) -> bool {
    let contents = segment.contents();
    match segment.marker() {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::APP1 | markers::APP3..=markers::APP13 | markers::APP15 | markers::COM => false,
        _ => true,
    }
}

/// Where the first image of a JPEG ends (just after its EOI marker), walking its segments
/// and the entropy-coded data of its scans. `None` when it is cut short, has no scan, or is
/// not a JPEG's structure.
fn jpeg_image_end(b: &[u8]) -> Option<usize> {
    if !b.starts_with(&[0xFF, markers::SOI]) {
        return None;
    }
    let mut i = 2;
    let mut scanned = false;
    loop {
        if scanned {
            // Inside entropy-coded data 0xFF is followed by 0x00 (a stuffed byte), a restart
            // marker or more 0xFF fill; anything else starts the next marker.
            loop {
                let j = i + b.get(i..)?.iter().position(|&x| x == 0xFF)?;
                match *b.get(j + 1)? {
                    0x00 | markers::RST0..=markers::RST7 => i = j + 2,
                    0xFF => i = j + 1,
                    _ => {
                        i = j;
                        break;
                    }
                }
            }
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        while *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        let marker = b[i + 1];
        i += 2;
        match marker {
            markers::EOI => return scanned.then_some(i),
            // TEM (0x01) has no length either
            markers::RST0..=markers::RST7 | 0x01 => {}
            markers::Z | markers::SOI => return None,
            _ => {
                let len = u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]) as usize;
                if len < 2 || i + len > b.len() {
                    return None;
                }
                i += len;
                scanned |= marker == markers::SOS;
            }
        }
    }
}

/// Chunks that say how to draw the picture. Everything else goes: `eXIf` (EXIF), `tEXt`,
/// `zTXt` and `iTXt` (free text and XMP), `tIME`, and chunks we do not know.
const PNG_KEPT: [&[u8; 4]; 17] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"cICP",
    b"mDCV", b"cLLI", b"mDCv", b"cLLi", b"sBIT", b"bKGD", b"pHYs",
];

fn clean_png(bytes: Vec<u8>) -> Result<Vec<u8>, UploadError> {
    // img-parts checks the signature, every chunk's length and CRC
    let mut png = Png::from_bytes(Bytes::from(bytes)).map_err(|_| UploadError::Damaged)?;
    let chunks = png.chunks();
    let starts = chunks.first().is_some_and(|c| c.kind() == *b"IHDR");
    let ends = chunks
        .last()
        .is_some_and(|c| c.kind() == *b"IEND" && c.contents().is_empty());
    let has_pixels = chunks.iter().any(|c| c.kind() == *b"IDAT");
    if !(starts && ends && has_pixels) {
        return Err(UploadError::Damaged);
    }
    png.chunks_mut()
        .retain(|c| PNG_KEPT.iter().any(|k| **k == c.kind()));
    Ok(png.encoder().bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use img_parts::png::PngChunk;
    use img_parts::{ImageEXIF, ImageICC};
    use proptest::prelude::*;

    // ---- building real files ----

    fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
        let mut s = vec![0xFF, marker];
        s.extend_from_slice(&(contents.len() as u16 + 2).to_be_bytes());
        s.extend_from_slice(contents);
        s
    }

    /// The scan of a 1×1 grey baseline JPEG: one DC code "0" (no difference) and one AC
    /// code "0" (end of block), padded with ones.
    const SCAN: &[u8] = &[0x3F];

    /// A complete 1×1 baseline JPEG with `app` segments after SOI.
    fn jpeg_with(app: &[Vec<u8>]) -> Vec<u8> {
        let mut f = vec![0xFF, markers::SOI];
        for a in app {
            f.extend_from_slice(a);
        }
        let mut dqt = vec![0u8];
        dqt.extend_from_slice(&[1; 64]);
        f.extend(segment(markers::DQT, &dqt));
        // 8-bit, 1 high, 1 wide, one component (id 1, 1×1 sampling, table 0)
        f.extend(segment(markers::SOF0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
        for class in [0x00, 0x10] {
            // one code of length 1 for symbol 0
            let mut dht = vec![class, 1];
            dht.extend_from_slice(&[0; 15]);
            dht.push(0);
            f.extend(segment(markers::DHT, &dht));
        }
        f.extend(segment(markers::SOS, &[1, 1, 0x00, 0, 63, 0]));
        f.extend_from_slice(SCAN);
        f.extend_from_slice(&[0xFF, markers::EOI]);
        f
    }

    /// The decimal degrees 31°13'… north that the camera wrote, as TIFF rationals.
    const LATITUDE: [u32; 6] = [31, 1, 13, 1, 4242, 100];

    /// An APP1 Exif segment: IFD0 points to a GPS IFD with a latitude.
    fn exif_app1_with_gps() -> Vec<u8> {
        let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
        // IFD0 at 8: one entry, GPSInfo (0x8825, LONG) → GPS IFD at 26
        t.extend_from_slice(&[0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
        // GPS IFD at 26: GPSLatitudeRef "N", GPSLatitude (3 RATIONAL at 56)
        t.extend_from_slice(&[0, 2]);
        t.extend_from_slice(&[0, 1, 0, 2, 0, 0, 0, 2, b'N', 0, 0, 0]);
        t.extend_from_slice(&[0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 56]);
        t.extend_from_slice(&[0, 0, 0, 0]);
        for n in LATITUDE {
            t.extend_from_slice(&n.to_be_bytes());
        }
        let mut contents = b"Exif\0\0".to_vec();
        contents.extend(t);
        segment(markers::APP1, &contents)
    }

    fn xmp_app1() -> Vec<u8> {
        let mut c = b"http://ns.adobe.com/xap/1.0/\0".to_vec();
        c.extend_from_slice(
            b"<x:xmpmeta><exif:GPSLatitude>31,13.7N</exif:GPSLatitude></x:xmpmeta>",
        );
        segment(markers::APP1, &c)
    }

    fn icc_app2() -> Vec<u8> {
        let mut c = b"ICC_PROFILE\0\x01\x01".to_vec();
        c.extend_from_slice(b"fake-profile-bytes");
        segment(markers::APP2, &c)
    }

    fn latitude_bytes() -> Vec<u8> {
        LATITUDE.iter().flat_map(|n| n.to_be_bytes()).collect()
    }

    fn find(haystack: &[u8], needle: &[u8]) -> bool {
        contains(haystack, needle)
    }

    fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &d in data {
            a = (a + d as u32) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }

    fn chunk(kind: &[u8; 4], contents: &[u8]) -> Vec<u8> {
        PngChunk::new(*kind, Bytes::copy_from_slice(contents))
            .encoder()
            .bytes()
            .to_vec()
    }

    /// A 1×1 8-bit grey PNG (one stored deflate block) with `extra` chunks before IDAT.
    fn png_with(extra: &[Vec<u8>]) -> Vec<u8> {
        let mut f = PNG_SIGNATURE.to_vec();
        f.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        for e in extra {
            f.extend_from_slice(e);
        }
        let raw = [0u8, 0x80]; // filter "none", one grey pixel
        let mut z = vec![0x78, 0x01, 0x01, 2, 0, 0xFD, 0xFF];
        z.extend_from_slice(&raw);
        z.extend_from_slice(&adler32(&raw).to_be_bytes());
        f.extend(chunk(b"IDAT", &z));
        f.extend(chunk(b"IEND", &[]));
        f
    }

    fn pdf() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\
          2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n\
          trailer << /Root 1 0 R >>\n%%EOF\n"
            .to_vec()
    }

    // ---- what a file is ----

    #[test]
    fn kinds_are_told_by_content() {
        assert_eq!(accept(jpeg_with(&[])).unwrap().0, FileKind::Jpeg);
        assert_eq!(accept(png_with(&[])).unwrap().0, FileKind::Png);
        assert_eq!(accept(pdf()).unwrap().0, FileKind::Pdf);
    }

    #[test]
    fn a_pdf_is_kept_as_it_came() {
        assert_eq!(accept(pdf()).unwrap().1, pdf());
    }

    #[test]
    fn a_png_named_pdf_is_a_png() {
        // the function takes no name; even "%PDF-" inside its text does not make it a PDF
        let text = chunk(b"tEXt", b"Comment\0%PDF-1.7 claim.pdf");
        let (kind, kept) = accept(png_with(&[text])).unwrap();
        assert_eq!(kind, FileKind::Png);
        assert!(!find(&kept, b"%PDF-"));
    }

    #[test]
    fn executables_and_archives_are_not_allowed() {
        let mut elf = b"\x7fELF\x02\x01\x01\0".to_vec();
        elf.resize(4096, 0);
        let mut mz = b"MZ\x90\0\x03\0\0\0".to_vec();
        mz.resize(4096, 0);
        let zip = b"PK\x03\x04\x14\0\0\0\x08\0".to_vec();
        let mp4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2".to_vec();
        for file in [elf, mz, zip, mp4, b"hello".to_vec()] {
            assert_eq!(accept(file), Err(UploadError::NotAllowed));
        }
    }

    #[test]
    fn heic_is_refused_by_its_own_error() {
        let iphone = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic".to_vec();
        let mif1_major = b"\0\0\0\x14ftypmif1\0\0\0\0heic".to_vec();
        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec();
        for file in [iphone, mif1_major, avif] {
            assert_eq!(accept(file), Err(UploadError::Heic));
        }
    }

    #[test]
    fn empty_and_too_large() {
        assert_eq!(accept(Vec::new()), Err(UploadError::Empty));
        let mut big = jpeg_with(&[]);
        big.resize(11 * 1024 * 1024, 0);
        assert_eq!(accept(big), Err(UploadError::TooLarge));
        let mut at_limit = b"%PDF-1.4\n".to_vec();
        at_limit.resize(MAX_BYTES - 6, b' ');
        at_limit.extend_from_slice(b"%%EOF\n");
        assert_eq!(accept(at_limit).unwrap().0, FileKind::Pdf);
    }

    // ---- damaged files ----

    #[test]
    fn a_truncated_pdf_is_damaged() {
        let whole = pdf();
        assert_eq!(
            accept(whole[..whole.len() / 2].to_vec()),
            Err(UploadError::Damaged)
        );
        // end marker but no beginning, or something before the header
        assert_eq!(accept(whole[9..].to_vec()), Err(UploadError::Damaged));
        let mut prefixed = b"junk\n".to_vec();
        prefixed.extend(whole);
        assert_eq!(accept(prefixed), Err(UploadError::Damaged));
    }

    #[test]
    fn a_truncated_jpeg_is_damaged() {
        let whole = jpeg_with(&[exif_app1_with_gps()]);
        for cut in [2, 3, 10, whole.len() - 2, whole.len() - 1] {
            assert_eq!(
                accept(whole[..cut].to_vec()),
                Err(UploadError::Damaged),
                "cut at {cut}"
            );
        }
        // EOI with no scan before it
        assert_eq!(
            accept(vec![0xFF, 0xD8, 0xFF, 0xD9]),
            Err(UploadError::Damaged)
        );
    }

    #[test]
    fn a_broken_png_is_damaged() {
        let whole = png_with(&[]);
        // without IEND
        assert_eq!(
            accept(whole[..whole.len() - 12].to_vec()),
            Err(UploadError::Damaged)
        );
        // cut inside a chunk
        assert_eq!(
            accept(whole[..whole.len() - 20].to_vec()),
            Err(UploadError::Damaged)
        );
        // a chunk length that runs past the end
        let mut long = whole.clone();
        long[8..12].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
        assert_eq!(accept(long), Err(UploadError::Damaged));
        // a flipped pixel byte breaks the IDAT CRC
        let mut flipped = whole.clone();
        let at = flipped.len() - 12 - 4 - 5;
        flipped[at] ^= 0x01;
        assert_eq!(accept(flipped), Err(UploadError::Damaged));
        // a signature cut short
        assert_eq!(accept(whole[..6].to_vec()), Err(UploadError::Damaged));
    }

    // ---- metadata ----

    #[test]
    fn jpeg_loses_exif_gps_and_xmp_and_keeps_its_colour_profile_and_pixels() {
        let original = jpeg_with(&[exif_app1_with_gps(), xmp_app1(), icc_app2()]);
        assert!(find(&original, &latitude_bytes()));

        let (kind, kept) = accept(original).unwrap();
        assert_eq!(kind, FileKind::Jpeg);
        assert!(!find(&kept, b"Exif\0\0"));
        assert!(!find(&kept, &latitude_bytes()));
        assert!(!find(&kept, b"GPSLatitude"));
        assert!(find(&kept, b"ICC_PROFILE\0"));

        // still a JPEG with the same picture: the same file as one built without metadata
        assert_eq!(kept, jpeg_with(&[icc_app2()]));
        let parsed = Jpeg::from_bytes(Bytes::from(kept.clone())).unwrap();
        assert_eq!(parsed.exif(), None);
        assert!(parsed.icc_profile().is_some());
        assert_eq!(parsed.dimensions(), Some((1, 1)));
        assert_eq!(accept(kept.clone()), Ok((FileKind::Jpeg, kept)));
    }

    #[test]
    fn jpeg_drops_what_follows_the_picture() {
        // a second (MPF) picture after the first carries its own position
        let mut file = jpeg_with(&[exif_app1_with_gps()]);
        file.extend(jpeg_with(&[exif_app1_with_gps()]));
        let (_, kept) = accept(file).unwrap();
        assert_eq!(kept, jpeg_with(&[]));
    }

    #[test]
    fn jpeg_with_stuffed_bytes_and_restarts_in_its_scan_is_walked_to_its_end() {
        let plain = jpeg_with(&[]);
        let eoi = plain.len() - 2;
        let mut file = plain[..eoi].to_vec();
        file.extend_from_slice(&[0xFF, 0x00, 0xFF, markers::RST0, 0x12, 0xFF, 0xFF]);
        file.extend_from_slice(&[0xFF, markers::EOI]);
        let mut trailing = file.clone();
        trailing.extend_from_slice(b"vendor trailer with GPS");
        assert_eq!(accept(trailing).unwrap().1, file);
    }

    #[test]
    fn png_loses_exif_and_text_and_keeps_its_colour_profile() {
        let exif = chunk(b"eXIf", &exif_app1_with_gps()[10..]);
        let text = chunk(b"tEXt", b"Location\0Shanghai");
        let ztxt = chunk(b"zTXt", b"Comment\0\0x\x9c");
        let itxt = chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<exif:GPSLatitude/>");
        let iccp = chunk(b"iCCP", b"sRGB\0\0x\x9c");
        let original = png_with(&[iccp.clone(), exif, text, ztxt, itxt]);
        assert!(find(&original, &latitude_bytes()));

        let (kind, kept) = accept(original).unwrap();
        assert_eq!(kind, FileKind::Png);
        for gone in [
            &b"eXIf"[..],
            b"tEXt",
            b"zTXt",
            b"iTXt",
            b"Shanghai",
            b"GPSLatitude",
        ] {
            assert!(!find(&kept, gone), "{}", String::from_utf8_lossy(gone));
        }
        assert!(!find(&kept, &latitude_bytes()));
        assert_eq!(kept, png_with(&[iccp]));

        // still a PNG: signature, valid chunks and CRCs, IEND last
        let parsed = Png::from_bytes(Bytes::from(kept.clone())).unwrap();
        assert_eq!(parsed.exif(), None);
        assert_eq!(parsed.dimensions(), Some((1, 1)));
        assert_eq!(parsed.chunks().last().unwrap().kind(), *b"IEND");
        assert_eq!(accept(kept.clone()), Ok((FileKind::Png, kept)));
    }

    #[test]
    fn kinds_round_trip_through_the_database() {
        for kind in [FileKind::Jpeg, FileKind::Png, FileKind::Pdf] {
            assert_eq!(FileKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(FileKind::parse("heic"), None);
        assert_eq!(FileKind::Jpeg.content_type(), "image/jpeg");
        assert_eq!(FileKind::Pdf.extension(), "pdf");
    }

    proptest! {
        #[test]
        fn accept_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let _ = accept(bytes);
        }

        #[test]
        fn accept_never_panics_past_a_known_signature(
            magic in 0usize..4,
            rest in proptest::collection::vec(any::<u8>(), 0..2048),
        ) {
            let mut bytes = match magic {
                0 => vec![0xFF, 0xD8],
                1 => PNG_SIGNATURE.to_vec(),
                2 => PDF_HEADER.to_vec(),
                _ => b"\0\0\0\x18ftyp".to_vec(),
            };
            bytes.extend(rest);
            let _ = accept(bytes);
        }

        #[test]
        fn a_jpeg_cut_anywhere_is_damaged_and_never_panics(cut in 0usize..200) {
            let whole = jpeg_with(&[exif_app1_with_gps()]);
            let cut = cut.min(whole.len() - 1);
            prop_assert_ne!(accept(whole[..cut].to_vec()).map(|(k, _)| k), Ok(FileKind::Jpeg));
        }
    }
}
