/*
 * The page's files, in the binary as they are in web/ (the assembler's
 * .incbin reads them at build time: no generated source, no copy to keep
 * in step), each with its length.  The page needs nothing from the
 * network: no CDN, no font, no library of anyone else's.
 */
#include <stddef.h>

/* clang-format off */
#define WEB_ASSET(sym, file)						\
	__asm__(".section .rodata\n"					\
		".balign 16\n"						\
		".global " #sym "\n"					\
		".hidden " #sym "\n"					\
		#sym ":\n"						\
		".incbin \"" file "\"\n"				\
		#sym "_end:\n"						\
		".byte 0\n"						\
		".balign 8\n"						\
		".global " #sym "_len\n"				\
		".hidden " #sym "_len\n"				\
		#sym "_len:\n"						\
		".quad " #sym "_end - " #sym "\n"			\
		".previous\n")
/* clang-format on */

WEB_ASSET(web_page_html, "web/page.html");
WEB_ASSET(web_app_js, "web/app.js");
WEB_ASSET(web_style_css, "web/style.css");
