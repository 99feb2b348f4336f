"""bazary.core.email: subjects and text bodies are plain text, HTML bodies are escaped."""

from django.test import override_settings

from bazary.core.email import render_email, send_templated_email

NAME = "Tom & Jerry's <b>"

SUBJECT = "{% load i18n %}{% blocktranslate %}Hi {{ name }}{% endblocktranslate %}"
LOCMEM_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "shop/hello_subject.txt": SUBJECT,
                        "shop/hello.txt": "Hello {{ name }}, {{ name|upper }}.\n",
                        "shop/hello.html": "<p>Hello {{ name }}</p>",
                    },
                )
            ]
        },
    }
]


@override_settings(TEMPLATES=LOCMEM_TEMPLATES)
def test_text_is_not_escaped_and_html_is():
    rendered = render_email("shop/hello", {"name": NAME})
    assert rendered.subject == "Hi Tom & Jerry's <b>"
    assert rendered.text == "Hello Tom & Jerry's <b>, TOM & JERRY'S <B>.\n"
    assert rendered.html == "<p>Hello Tom &amp; Jerry&#x27;s &lt;b&gt;</p>"


@override_settings(TEMPLATES=LOCMEM_TEMPLATES, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
def test_the_sent_message_carries_the_plain_text(mailoutbox):
    send_templated_email("shop/hello", {"name": NAME}, ["tom@example.com"])
    (message,) = mailoutbox
    assert message.subject == "Hi Tom & Jerry's <b>"
    assert message.body.startswith("Hello Tom & Jerry's <b>,")
    assert message.alternatives[0][0] == "<p>Hello Tom &amp; Jerry&#x27;s &lt;b&gt;</p>"


def test_bazary_text_templates_render_names_as_written():
    # A template shipped by an app, with no {% autoescape %} of its own.
    rendered = render_email("bazary/accounts/email/password_changed", {"name": NAME, "email": "tom@example.com"})
    assert "Hello Tom & Jerry's <b>," in rendered.text
    assert "&amp;" not in rendered.text
