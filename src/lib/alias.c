/*
 * Whether a child's public alias gives the child away (issue 18): staff
 * type a child's real name as the alias, and the alias is shown on
 * public pages.  Two signs, each a warning the form makes staff confirm
 * rather than a refusal (an alias such as 王小 may be meant):
 *
 *	alias_looks_like_name	2 to 4 Chinese characters beginning with a
 *				common surname (the list below: the most
 *				frequent single surnames of the 2020 census
 *				and the usual compound ones), e.g. 王芳
 *	alias_matches_name	the alias is the private real name, or
 *				holds it, or the name holds the alias
 *				(both compared without spaces)
 *
 * Characters that are common surnames but mostly begin nicknames (小,
 * 大, 阿, 老) are left out: 小雨点 is the kind of alias we ask for.
 * Every byte is read by its length (the text comes from a form or a CSV).
 */
#include <string.h>

#include "lib.h"

#define NAME_MAX_BYTES	64	/* of a name or an alias, compared */

static const char *const surnames[] = {
	/* compound surnames first: 欧阳娜娜 is a full name of four */
	"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "公孙",
	"慕容", "尉迟", "长孙", "宇文", "司徒", "夏侯", "轩辕", "端木",
	"独孤", "南宫", "西门", "申屠", "澹台", "呼延",
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
	"徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗",
	"郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
	"彭", "曾", "肖", "萧", "田", "董", "潘", "袁", "蔡", "蒋",
	"余", "于", "杜", "叶", "程", "魏", "苏", "吕", "丁", "任",
	"卢", "姚", "沈", "钟", "姜", "崔", "谭", "陆", "范", "汪",
	"廖", "石", "金", "韦", "贾", "夏", "付", "傅", "方", "邹",
	"熊", "白", "孟", "秦", "邱", "侯", "江", "尹", "薛", "闫",
	"阎", "段", "雷", "龙", "黎", "史", "陶", "贺", "毛", "郝",
	"顾", "龚", "邵", "万", "覃", "武", "钱", "戴", "严", "莫",
	"孔", "向", "常", "汤", "康", "易", "乔", "赖", "文", "施",
	"洪", "辛", "柴", "牛", "温", "芦", "葛", "聂", "翟", "齐",
	"庞", "樊", "兰", "殷", "耿", "申", "焦", "靳", "岳",
	"原", "卫", "宁", "商", "裴", "路", "尚", "左", "单",
	NULL
};

static size_t	cjk_chars(const char *, size_t);
static size_t	squeeze(const char *, size_t, char *);

/*
 * The number of characters of s[0..len) when every one is a CJK
 * ideograph of the basic block (U+4E00..U+9FFF, three bytes in UTF-8);
 * 0 otherwise.
 */
static size_t
cjk_chars(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n = 0;
	unsigned int		 cp;

	for (i = 0; i < len; i += 3, n++) {
		if (len - i < 3 || (p[i] & 0xf0) != 0xe0 ||
		    (p[i + 1] & 0xc0) != 0x80 || (p[i + 2] & 0xc0) != 0x80)
			return (0);
		cp = ((p[i] & 0x0fu) << 12) | ((p[i + 1] & 0x3fu) << 6) |
		    (p[i + 2] & 0x3fu);
		if (cp < 0x4e00 || cp > 0x9fff)
			return (0);
	}
	return (n);
}

/* s without ASCII and ideographic spaces into out (NAME_MAX_BYTES). */
static size_t
squeeze(const char *s, size_t len, char *out)
{
	size_t	i, n = 0;

	for (i = 0; i < len && n < NAME_MAX_BYTES; ) {
		if (s[i] == ' ' || s[i] == '\t') {
			i++;
		} else if (len - i >= 3 && !memcmp(s + i, "\xe3\x80\x80", 3)) {
			i += 3;
		} else {
			out[n++] = s[i++];
		}
	}
	return (n);
}

/* 1 when alias (len bytes) looks like a Chinese full name. */
int
alias_looks_like_name(const char *alias, size_t len)
{
	char	 a[NAME_MAX_BYTES];
	size_t	 n, chars, slen, i;

	n = squeeze(alias, len, a);
	chars = cjk_chars(a, n);
	if (chars < 2 || chars > 4)
		return (0);
	for (i = 0; surnames[i] != NULL; i++) {
		slen = strlen(surnames[i]);
		/* A compound surname alone (欧阳) is no full name. */
		if (slen < n && !memcmp(a, surnames[i], slen))
			return (1);
	}
	return (0);
}

/*
 * 1 when alias (alen bytes) is, holds or is held by name (nlen bytes),
 * spaces aside; a piece of one character (3 bytes) is not enough.
 */
int
alias_matches_name(const char *alias, size_t alen, const char *name,
    size_t nlen)
{
	char	 a[NAME_MAX_BYTES], b[NAME_MAX_BYTES];
	size_t	 an, bn;

	an = squeeze(alias, alen, a);
	bn = squeeze(name, nlen, b);
	if (an == 0 || bn == 0)
		return (0);
	if (an == bn)
		return (!memcmp(a, b, an));
	if (an < bn)
		return (an > 3 && memmem(b, bn, a, an) != NULL);
	return (bn > 3 && memmem(a, an, b, bn) != NULL);
}
