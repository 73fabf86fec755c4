"""Every file an office receives, read into the one text-and-tables form the parser reads.

One small module per format; this registry picks the reader by what the file IS (magic
bytes, the members of a zip package, the streams of an OLE compound file), not by its
name: a .doc renamed .docx is read as Word 97, a .txt that is really a PDF is refused with
a message saying so.

    from tracker.imports.formats.registry import read, sniff

    kind = sniff(name, data)          # raises ImportRejected for a type we do not read
    extracted = read(name, data, progress)
"""
