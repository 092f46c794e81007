# METADATA
# title: Sources catalog
# description: The documents the rules cite, keyed by file name, the stable id a citation uses.
package advise.sources

# METADATA
# title: Catalog
# description: Every source a rule may cite, the built-in ones and an organisation's (data.advise.org.sources, whose ids the engine refuses where they are built-in ones).
catalog := object.union(builtin, _org_sources)

_org_sources := data.advise.org.sources

default _org_sources := {}

# METADATA
# title: Built-in sources
# description: File name to title, site and language of each source document, and its public URL where the document names one.
builtin := {
	"000_52410bb239ef2d82.txt": {
		"title": "容器与虚拟机的区别与关系",
		"site": "CTyun developer community (天翼云开发者社区)",
		"language": "zh",
	},
	"001_12de2612dfdf4b91.txt": {
		"title": "docker容器与虚拟机有什么区别?",
		"site": "tech article repost",
		"language": "zh",
		"url": "https://www.jianshu.com/p/50f48eb25215",
	},
	"002_687a735013d0ae0c.txt": {
		"title": "虚拟机&容器技术",
		"site": "personal blog (OSChina)",
		"language": "zh",
	},
	"003_681de61063999d7b.txt": {
		"title": "Docker containers and virtual machines difference",
		"site": "encyclopedia-style site",
		"language": "en",
	},
	"004_c47ec412e6d24774.txt": {
		"title": "容器技术实战学习报告",
		"site": "Alibaba Cloud developer community (阿里云开发者社区)",
		"language": "zh",
	},
}
